/**
 * `cto github test-webhook`: a `ping` delivery like GitHub's, signed the way GitHub signs
 * (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the webhook secret>`), sent
 * to the platform's webhook endpoint, with the answer's status and the round-trip latency.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface PingResult {
  url: string;
  delivery: string;
  status: number;
  ok: boolean;
  latencyMs: number;
  /** The first 200 characters of the answer, for diagnosing a refusal. */
  response: string;
}

/** `sha256=` + hex HMAC-SHA256 of `body` with `secret`. */
export function signatureFor(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface PingOptions {
  url: string;
  secret: string;
  /** What the hook is attached to, for the payload. */
  target: { kind: "organization" | "repository"; organization: string; repository: string };
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Sends one signed ping and measures it. Network failures are thrown as they are. */
export async function sendPing(options: PingOptions): Promise<PingResult> {
  const delivery = randomUUID();
  const { target } = options;
  const payload = {
    zen: "Keep it logically awesome.",
    hook_id: 0,
    hook: {
      type: target.kind === "organization" ? "Organization" : "Repository",
      id: 0,
      name: "web",
      active: true,
      events: ["*"],
      config: { content_type: "json", insecure_ssl: "0", url: options.url },
    },
    ...(target.kind === "organization"
      ? { organization: { login: target.organization } }
      : { repository: { name: target.repository, full_name: `${target.organization}/${target.repository}` } }),
    sender: { login: "cto", type: "Bot" },
  };
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await (options.fetch ?? fetch)(options.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/cto",
      "X-GitHub-Event": "ping",
      "X-GitHub-Delivery": delivery,
      "X-GitHub-Hook-ID": "0",
      "X-Hub-Signature-256": signatureFor(options.secret, body),
    },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  const latencyMs = performance.now() - started;
  return {
    url: options.url,
    delivery,
    status: res.status,
    ok: res.status >= 200 && res.status < 300,
    latencyMs: Math.round(latencyMs * 10) / 10,
    response: text.slice(0, 200),
  };
}
