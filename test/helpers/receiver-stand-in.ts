/**
 * A stand-in for the platform's webhook receiver, for the e2e tests only (not a product component).
 *
 * Why it exists: the receiver is Argo Events' EventSource `cto-github` and each agent's Sensor,
 * which run as pods, and pods do not run on the simulated (kwok) cluster. So the e2e tests cannot
 * send a delivery to the real receiver. This stand-in does, on 127.0.0.1, the two steps the real
 * one does with what cto stores in the API server, and nothing else:
 *
 * 1. EventSource: the endpoint is the `spec.github.<agent>.webhook.endpoint` of the stored
 *    EventSource; the secret is the stored Secret its `webhookSecret` names. The signature
 *    (`X-Hub-Signature-256`) is checked over the raw request bytes with a constant-time compare; a
 *    mismatch is refused (400). A verified JSON body gets `X-GitHub-Event` and `X-GitHub-Delivery`
 *    copied into it, as Argo Events does, and is answered 200 before anything else happens.
 * 2. Sensor: for each stored Sensor listening to that endpoint, its string/bool data filters pick
 *    the triggers, whose parameters fill the Workflow resource; the Workflow is created with
 *    `kubectl create`. A second Workflow of the same name is refused by the real API server
 *    (AlreadyExists) — that refusal is the platform's deduplication on `X-GitHub-Delivery`.
 *
 * Its whole configuration is read from the API server (`load()`); it holds no copy of cto's
 * templates. It does not show that Argo Events' own code behaves this way (docs/github.md, "The
 * receiver", says what that rests on).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exec, type Kubectl } from "./kwok.js";

interface Endpoint {
  eventName: string;
  secret: string;
}

interface DataFilter {
  path: string;
  type: "string" | "bool" | "number";
  value: string[];
}

interface StoredSensor {
  metadata: { name: string };
  spec: {
    dependencies: { name: string; eventSourceName: string; eventName: string; filters?: { data?: DataFilter[] } }[];
    triggers: {
      template: {
        name: string;
        conditions: string;
        argoWorkflow: {
          source: { resource: Record<string, unknown> };
          parameters: {
            src: { dependencyName: string; dataKey?: string; value?: string };
            dest: string;
            operation?: string;
          }[];
        };
      };
    }[];
  };
}

export interface StandInDelivery {
  path: string;
  delivery: string;
  status: number;
  /** The signature matched the secret the endpoint's EventSource entry names. */
  verified: boolean;
  /** Workflows the Sensors' triggers made of it: name and what the API server said. */
  workflows: { sensor: string; trigger: string; name: string; outcome: "created" | "already exists" | string }[];
}

export class ReceiverStandIn {
  url = "";
  readonly deliveries: StandInDelivery[] = [];
  private endpoints = new Map<string, Endpoint>();
  private sensors: StoredSensor[] = [];
  private pending: Promise<void>[] = [];
  private server?: Server;
  private kubeconfig = "";

  constructor(
    private readonly namespace: string,
    private readonly eventSource = "cto-github",
  ) {}

  /** Listens on 127.0.0.1 (a free port); `url` is then `http://127.0.0.1:PORT`. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks);
        const path = new URL(req.url ?? "/", "http://x").pathname;
        const header = (name: string): string => String(req.headers[name] ?? "");
        const record: StandInDelivery = {
          path,
          delivery: header("x-github-delivery"),
          status: 0,
          verified: false,
          workflows: [],
        };
        this.deliveries.push(record);
        const answer = (status: number, text: string): void => {
          record.status = status;
          res.writeHead(status, { "Content-Type": "text/plain" }).end(text);
        };
        const endpoint = req.method === "POST" ? this.endpoints.get(path) : undefined;
        if (!endpoint) return answer(404, "no such endpoint");
        record.verified = verify(endpoint.secret, raw, header("x-hub-signature-256"));
        if (!record.verified) return answer(400, "signature mismatch");
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
        } catch {
          return answer(400, "the payload is not JSON");
        }
        body["X-GitHub-Event"] = header("x-github-event");
        body["X-GitHub-Delivery"] = header("x-github-delivery");
        answer(200, "success");
        this.pending.push(this.trigger(endpoint.eventName, { body }, record));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Reads the EventSource, the Secrets it names and the Sensors from the API server. */
  async load(k: Kubectl): Promise<void> {
    const source = await k.json<{
      spec: { github: Record<string, { webhook: { endpoint: string }; webhookSecret: { name: string; key: string } }> };
    }>("get", "eventsources.argoproj.io", this.eventSource, "-n", this.namespace);
    this.endpoints.clear();
    for (const [eventName, entry] of Object.entries(source.spec.github)) {
      const secret = await k.json<{ data?: Record<string, string> }>(
        "get",
        "secret",
        entry.webhookSecret.name,
        "-n",
        this.namespace,
      );
      const value = secret.data?.[entry.webhookSecret.key];
      if (value === undefined)
        throw new Error(`secret ${entry.webhookSecret.name} has no key ${entry.webhookSecret.key}`);
      this.endpoints.set(entry.webhook.endpoint, { eventName, secret: Buffer.from(value, "base64").toString("utf8") });
    }
    this.sensors = (await k.json<{ items: StoredSensor[] }>("get", "sensors.argoproj.io", "-n", this.namespace)).items;
    this.kubeconfig = k.kubeconfig;
  }

  /** The endpoint paths and their event names, as loaded. */
  routes(): Map<string, string> {
    return new Map([...this.endpoints].map(([path, e]) => [path, e.eventName]));
  }

  /** The secret an endpoint checks signatures with, as loaded (for the test's comparisons). */
  secretOf(path: string): string | undefined {
    return this.endpoints.get(path)?.secret;
  }

  /** Waits until every accepted delivery has gone through the Sensors. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async trigger(eventName: string, event: Record<string, unknown>, record: StandInDelivery): Promise<void> {
    for (const sensor of this.sensors) {
      const matched = new Set(
        sensor.spec.dependencies
          .filter((d) => d.eventSourceName === this.eventSource && d.eventName === eventName)
          .filter((d) => (d.filters?.data ?? []).every((f) => passes(f, lookup(event, f.path))))
          .map((d) => d.name),
      );
      for (const { template } of sensor.spec.triggers) {
        if (!matched.has(template.conditions)) continue;
        const resource = structuredClone(template.argoWorkflow.source.resource);
        for (const p of template.argoWorkflow.parameters) {
          const value = p.src.dataKey !== undefined ? lookup(event, p.src.dataKey) : p.src.value;
          if (value === undefined) throw new Error(`${sensor.metadata.name}: no ${p.src.dataKey} in the event`);
          const current = lookup(resource, p.dest);
          const text = String(value);
          assign(
            resource,
            p.dest,
            p.operation === "append" && current !== undefined ? `${String(current)}${text}` : text,
          );
        }
        const name = String(lookup(resource, "metadata.name") ?? "");
        const r = await exec("kubectl", ["--kubeconfig", this.kubeconfig, "create", "-f", "-", "-o", "name"], {
          input: JSON.stringify(resource),
          timeoutMs: 60_000,
        });
        const outcome =
          r.code === 0 ? "created" : /AlreadyExists|already exists/.test(r.stderr) ? "already exists" : r.stderr;
        record.workflows.push({ sensor: sensor.metadata.name, trigger: template.name, name, outcome });
      }
    }
  }
}

/** GitHub's signature check: HMAC-SHA256 of the exact bytes, `sha256=` hex, constant-time compare. */
export function verify(secret: string, raw: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
  const given = Buffer.from(signature);
  return secret !== "" && given.length === expected.length && timingSafeEqual(given, expected);
}

/** A dotted path into JSON (array indices as numbers), like the simple paths Argo Events uses. */
function lookup(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function assign(target: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split(".");
  let at: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys.at(-1) as string] = value;
}

/** An Argo Events data filter: any of the regular expressions (string), or the literal (bool/number). */
function passes(filter: DataFilter, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (filter.type === "string") return filter.value.some((re) => new RegExp(re).test(String(value)));
  return filter.value.some((v) => v === String(value));
}
