/**
 * `cto github test-webhook`: a `ping` delivery like the one GitHub sends an App's webhook, signed
 * the way GitHub signs (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the
 * webhook secret>`), sent to an agent's webhook URL, with the answer's status and the round-trip
 * latency. Headers and the `hook` object follow GitHub's documentation ("Webhook events and
 * payloads": delivery headers, and the ping event).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export interface PingResult {
  url: string;
  delivery: string;
  status: number;
  ok: boolean;
  latencyMs: number;
  /** The first 200 characters of the answer, for diagnosing a refusal. */
  response: string;
}

/** `sha256=` + hex HMAC-SHA256 of `body` (its bytes, exactly as sent) with `secret`. */
export function signatureFor(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Whether `signature` (the `X-Hub-Signature-256` header) is GitHub's signature of `body` with
 * `secret`: over the raw bytes, compared in constant time. The same check the platform makes.
 */
export function verifySignature(secret: string, body: Buffer, signature: string | undefined): boolean {
  if (!secret || !signature) return false;
  const expected = Buffer.from(signatureFor(secret, body));
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export interface PingOptions {
  url: string;
  secret: string;
  /** The App the ping stands for (its id; 0 when unknown). */
  app: { id: number; events: string[] };
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Sends one signed ping and measures it. Network failures are thrown as they are. */
export async function sendPing(options: PingOptions): Promise<PingResult> {
  const delivery = randomUUID();
  const now = new Date().toISOString();
  const payload = {
    zen: "Keep it logically awesome.",
    hook_id: options.app.id,
    hook: {
      type: "App",
      id: options.app.id,
      name: "web",
      active: true,
      events: options.app.events,
      config: { content_type: "json", insecure_ssl: "0", url: options.url },
      updated_at: now,
      created_at: now,
      app_id: options.app.id,
    },
  };
  const body = Buffer.from(JSON.stringify(payload));
  const started = performance.now();
  const res = await (options.fetch ?? fetch)(options.url, {
    method: "POST",
    headers: {
      Accept: "*/*",
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/cto-test",
      "X-GitHub-Event": "ping",
      "X-GitHub-Delivery": delivery,
      "X-GitHub-Hook-ID": String(options.app.id),
      "X-GitHub-Hook-Installation-Target-Type": "integration",
      "X-GitHub-Hook-Installation-Target-ID": String(options.app.id),
      "X-Hub-Signature": `sha1=${createHmac("sha1", options.secret).update(body).digest("hex")}`,
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
