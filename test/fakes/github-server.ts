/**
 * A fake GitHub on 127.0.0.1 for tests: the web pages and REST endpoints cto's GitHub integration
 * uses, and a webhook receiver standing in for the platform's endpoint.
 *
 * Web (base `url`, like https://github.com or a GitHub Enterprise Server host):
 *   POST /organizations/:org/settings/apps/new?state=S  and  POST /settings/apps/new?state=S
 *     form field `manifest` (JSON); registers the app and redirects (302) to the manifest's
 *     `redirect_url` with `?code=…&state=S`, as GitHub does after the user confirms.
 *   GET  /apps/:slug/installations/new  — installs the app on the owner (tests call `install`).
 * REST (base `apiUrl` = url + /api/v3, like a GitHub Enterprise Server):
 *   POST  /app-manifests/:code/conversions  (201; 404 when the code is unknown, used or expired)
 *   GET   /users/:login, /apps/:slug
 *   GET   /app, /app/installations, /app/hook/config, /app/hook/deliveries  (JWT, RS256, verified)
 *   PATCH /app/hook/config
 * Receiver: POST /hooks/platform verifies `X-Hub-Signature-256` against `webhookSecret` and answers
 *   204, or 401 on a bad or missing signature; every delivery is recorded in `received`.
 *
 * Rate limits on demand (`rateLimitNext`), codes that expire (`codeTtlMs`, `expireCodes`), and a
 * log of every request (`requests`) so tests can check that secrets never travel where they
 * should not (query strings, for instance).
 */
import {
  createHmac,
  createPublicKey,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeApp {
  id: number;
  slug: string;
  name: string;
  owner: { login: string; type: "Organization" | "User" };
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  pem: string;
  publicKeyPem: string;
  /** Extra keys (rotation). */
  otherPublicKeys: string[];
  hookUrl: string;
  hookActive: boolean;
  permissions: Record<string, string>;
  events: string[];
  installations: { id: number; account: string }[];
  deliveries: FakeDelivery[];
}

export interface FakeDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
}

export interface ReceivedHook {
  event: string;
  delivery: string;
  signatureValid: boolean;
  body: string;
}

export interface RateLimitSpec {
  /** How many requests get limited. */
  count: number;
  status: 403 | 429;
  retryAfter?: number;
  /** Sets x-ratelimit-remaining: 0 and x-ratelimit-reset = now + resetIn seconds. */
  resetIn?: number;
  /** Only requests whose path starts with this. */
  pathPrefix?: string;
}

export interface FakeGitHubOptions {
  /** Accounts: login → type. Default: acme (Organization), octo (User). */
  accounts?: Record<string, "Organization" | "User">;
  codeTtlMs?: number;
  /** Install every new app on its owner right away. */
  autoInstall?: boolean;
  /** Secret the receiver checks signatures with. */
  webhookSecret?: string;
}

export interface RequestRecord {
  method: string;
  url: string;
  authorization?: string;
  body: string;
  status: number;
}

export class FakeGitHub {
  url = "";
  apiUrl = "";
  /** The platform's webhook endpoint on this fake. */
  webhookUrl = "";
  readonly apps: FakeApp[] = [];
  readonly received: ReceivedHook[] = [];
  readonly requests: RequestRecord[] = [];
  webhookSecret: string;
  private readonly accounts: Record<string, "Organization" | "User">;
  private readonly codes = new Map<string, { appId: number; expires: number }>();
  private readonly limits: RateLimitSpec[] = [];
  private server?: Server;
  private nextId = 1000;
  private codeTtlMs: number;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.accounts = options.accounts ?? { acme: "Organization", octo: "User" };
    this.codeTtlMs = options.codeTtlMs ?? 60 * 60 * 1000;
    this.webhookSecret = options.webhookSecret ?? "";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { message: String(err) });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", () => resolve()));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/api/v3`;
    this.webhookUrl = `${this.url}/hooks/platform`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The next `count` API requests (optionally under a path) are rate-limited. */
  rateLimitNext(spec: RateLimitSpec): void {
    this.limits.push({ ...spec });
  }

  /** Every code issued so far expires now. */
  expireCodes(): void {
    for (const c of this.codes.values()) c.expires = 0;
  }

  /** Installs an app on an account. */
  install(slug: string, account: string): number {
    const app = this.apps.find((a) => a.slug === slug);
    if (!app) throw new Error(`no app ${slug}`);
    const id = this.nextId++;
    app.installations.push({ id, account });
    return id;
  }

  /** Registers an app directly (as if created earlier by hand). */
  addApp(name: string, owner: string): FakeApp {
    return this.register({ name, url: "https://acme.example", hook_attributes: { url: "", active: false } }, owner);
  }

  private register(manifest: Manifest, owner: string): FakeApp {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const id = this.nextId++;
    const slug = manifest.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
    const app: FakeApp = {
      id,
      slug,
      name: manifest.name,
      owner: { login: owner, type: this.accounts[owner] ?? "User" },
      clientId: `Iv1.${randomBytes(8).toString("hex")}`,
      clientSecret: randomBytes(20).toString("hex"),
      webhookSecret: randomBytes(20).toString("hex"),
      pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
      otherPublicKeys: [],
      hookUrl: manifest.hook_attributes?.url ?? "",
      hookActive: manifest.hook_attributes?.active ?? false,
      permissions: manifest.default_permissions ?? {},
      events: manifest.default_events ?? [],
      installations: [],
      deliveries: [],
    };
    this.apps.push(app);
    if (this.options.autoInstall) this.install(slug, owner);
    return app;
  }

  /** A new key pair for an app (what "Generate a private key" does); returns the private key. */
  newPrivateKey(slug: string): string {
    const app = this.apps.find((a) => a.slug === slug);
    if (!app) throw new Error(`no app ${slug}`);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    app.otherPublicKeys.push(publicKey.export({ type: "spki", format: "pem" }).toString());
    return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", this.url);
    const record: RequestRecord = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      authorization: req.headers.authorization,
      body,
      status: 0,
    };
    this.requests.push(record);
    const send = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      json(res, status, value, headers);
    };

    if (url.pathname === "/hooks/platform" && req.method === "POST") {
      const signature = String(req.headers["x-hub-signature-256"] ?? "");
      const expected = `sha256=${createHmac("sha256", this.webhookSecret).update(body).digest("hex")}`;
      const valid =
        this.webhookSecret !== "" &&
        signature.length === expected.length &&
        timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
      this.received.push({
        event: String(req.headers["x-github-event"] ?? ""),
        delivery: String(req.headers["x-github-delivery"] ?? ""),
        signatureValid: valid,
        body,
      });
      if (!valid) return send(401, { message: "signature mismatch" });
      record.status = 204;
      res.writeHead(204).end();
      return;
    }

    const newApp = url.pathname.match(/^\/(?:organizations\/([^/]+)\/)?settings\/apps\/new$/);
    if (newApp && req.method === "POST") return this.newAppPage(newApp[1], url, body, record, res);

    if (!url.pathname.startsWith("/api/v3/")) return send(404, { message: "Not Found" });
    const path = url.pathname.slice("/api/v3".length);

    const limit = this.limits.find((l) => l.count > 0 && (!l.pathPrefix || path.startsWith(l.pathPrefix)));
    if (limit) {
      limit.count--;
      const headers: Record<string, string> = {};
      if (limit.retryAfter !== undefined) headers["retry-after"] = String(limit.retryAfter);
      if (limit.resetIn !== undefined) {
        headers["x-ratelimit-remaining"] = "0";
        headers["x-ratelimit-reset"] = String(Math.floor(Date.now() / 1000) + limit.resetIn);
      }
      return send(limit.status, { message: "You have exceeded a secondary rate limit." }, headers);
    }

    let m: RegExpMatchArray | null;
    if ((m = path.match(/^\/app-manifests\/([^/]+)\/conversions$/)) && req.method === "POST") {
      const code = this.codes.get(decodeURIComponent(m[1] as string));
      if (!code || code.expires < Date.now()) return send(404, { message: "Not Found" });
      this.codes.delete(decodeURIComponent(m[1] as string));
      const app = this.apps.find((a) => a.id === code.appId) as FakeApp;
      return send(201, {
        ...this.publicApp(app),
        client_id: app.clientId,
        client_secret: app.clientSecret,
        webhook_secret: app.webhookSecret,
        pem: app.pem,
      });
    }
    if ((m = path.match(/^\/users\/([^/]+)$/)) && req.method === "GET") {
      const login = Object.keys(this.accounts).find(
        (a) => a.toLowerCase() === decodeURIComponent(m?.[1] ?? "").toLowerCase(),
      );
      if (!login) return send(404, { message: "Not Found" });
      return send(200, { login, type: this.accounts[login] });
    }
    if ((m = path.match(/^\/apps\/([^/]+)$/)) && req.method === "GET") {
      const app = this.apps.find((a) => a.slug === decodeURIComponent(m?.[1] ?? ""));
      return app ? send(200, this.publicApp(app)) : send(404, { message: "Not Found" });
    }
    if (path.startsWith("/app/") || path === "/app") {
      const app = this.verifyJwt(req.headers.authorization);
      if (!app) return send(401, { message: "A JSON web token could not be decoded" });
      if (path === "/app" && req.method === "GET") return send(200, this.publicApp(app));
      if (path === "/app/installations" && req.method === "GET") {
        return send(
          200,
          app.installations.map((i) => ({
            id: i.id,
            account: { login: i.account, type: this.accounts[i.account] ?? "User" },
            repository_selection: "all",
            suspended_at: null,
          })),
        );
      }
      if (path === "/app/hook/config" && req.method === "GET") {
        return send(200, { url: app.hookUrl, content_type: "json", insecure_ssl: "0" });
      }
      if (path === "/app/hook/config" && req.method === "PATCH") {
        const patch = JSON.parse(body || "{}") as { secret?: string; url?: string };
        if (patch.secret) app.webhookSecret = patch.secret;
        if (patch.url) app.hookUrl = patch.url;
        return send(200, { url: app.hookUrl, content_type: "json", insecure_ssl: "0" });
      }
      if (path === "/app/hook/deliveries" && req.method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        return send(200, [...app.deliveries].reverse().slice(0, perPage));
      }
    }
    return send(404, { message: "Not Found" });
  }

  private async newAppPage(
    org: string | undefined,
    url: URL,
    body: string,
    record: RequestRecord,
    res: ServerResponse,
  ): Promise<void> {
    const fail = (status: number, message: string): void => {
      record.status = status;
      res.writeHead(status, { "Content-Type": "text/plain" }).end(message);
    };
    const state = url.searchParams.get("state") ?? "";
    const form = new URLSearchParams(body);
    const raw = form.get("manifest");
    if (!raw) return fail(400, "missing manifest");
    let manifest: Manifest;
    try {
      manifest = JSON.parse(raw) as Manifest;
    } catch {
      return fail(400, "manifest is not JSON");
    }
    if (!manifest.name || !manifest.url || !manifest.redirect_url)
      return fail(422, "manifest needs name, url, redirect_url");
    if (manifest.default_permissions && manifest.default_permissions.metadata === undefined) {
      return fail(422, "metadata permission is required");
    }
    const owner = org ? decodeURIComponent(org) : "octo";
    if (org && this.accounts[owner] !== "Organization") return fail(404, "no such organization");
    const slug = manifest.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
    if (this.apps.some((a) => a.slug === slug)) return fail(422, "Name is already in use");
    const app = this.register(manifest, owner);
    if (app.hookActive && app.hookUrl) await this.deliverPing(app);
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, { appId: app.id, expires: Date.now() + this.codeTtlMs });
    const target = new URL(manifest.redirect_url);
    target.searchParams.set("code", code);
    target.searchParams.set("state", state);
    record.status = 302;
    res.writeHead(302, { Location: target.toString() }).end();
  }

  /** What GitHub does when an app with an active webhook is created: a signed ping to its URL. */
  private async deliverPing(app: FakeApp): Promise<void> {
    const body = JSON.stringify({ zen: "Design for failure.", hook_id: app.id });
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(app.hookUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-GitHub-Event": "ping",
          "X-GitHub-Delivery": randomBytes(16).toString("hex"),
          "X-Hub-Signature-256": `sha256=${createHmac("sha256", app.webhookSecret).update(body).digest("hex")}`,
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      status = res.status;
    } catch {
      status = 0;
    }
    app.deliveries.push({
      id: this.nextId++,
      guid: randomBytes(8).toString("hex"),
      delivered_at: new Date().toISOString(),
      redelivery: false,
      duration: (performance.now() - started) / 1000,
      status: status >= 200 && status < 300 ? "OK" : status === 0 ? "Connection refused" : "Invalid HTTP Response",
      status_code: status,
      event: "ping",
      action: null,
    });
  }

  private publicApp(app: FakeApp): Record<string, unknown> {
    return {
      id: app.id,
      slug: app.slug,
      node_id: `A_${app.id}`,
      name: app.name,
      owner: { login: app.owner.login, type: app.owner.type },
      html_url: `${this.url}/apps/${app.slug}`,
      permissions: app.permissions,
      events: app.events,
    };
  }

  /** The app whose key signed this RS256 JWT, if the token is valid and current. */
  private verifyJwt(header: string | undefined): FakeApp | undefined {
    const token = header?.match(/^Bearer (.+)$/)?.[1];
    const parts = token?.split(".");
    if (!parts || parts.length !== 3) return undefined;
    const [h, p, s] = parts as [string, string, string];
    let claims: { iss?: unknown; exp?: number; iat?: number };
    try {
      claims = JSON.parse(Buffer.from(p, "base64url").toString()) as typeof claims;
    } catch {
      return undefined;
    }
    const app = this.apps.find((a) => String(a.id) === String(claims.iss));
    if (!app) return undefined;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp < now || claims.exp - (claims.iat ?? 0) > 600) return undefined;
    for (const key of [app.publicKeyPem, ...app.otherPublicKeys]) {
      const ok = createVerify("RSA-SHA256")
        .update(`${h}.${p}`)
        .verify(createPublicKey(key), Buffer.from(s, "base64url"));
      if (ok) return app;
    }
    return undefined;
  }
}

interface Manifest {
  name: string;
  url: string;
  redirect_url?: string;
  hook_attributes?: { url: string; active?: boolean };
  default_permissions?: Record<string, string>;
  default_events?: string[];
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

/** Starts a fake GitHub. */
export function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).start();
}

/**
 * Plays the user's browser through the manifest flow: loads cto's local page, submits its form to
 * the fake (which registers the app and redirects), and follows the redirect back to cto's
 * callback. Returns the callback's status.
 */
export async function actAsBrowser(localUrl: string): Promise<{ callbackStatus: number; callbackUrl: string }> {
  const page = await (await fetch(localUrl)).text();
  const action = decodeHtml(page.match(/<form[^>]*action="([^"]+)"/)?.[1] ?? "");
  const manifest = decodeHtml(page.match(/name="manifest" value="([^"]*)"/)?.[1] ?? "");
  if (!action || !manifest) throw new Error(`no manifest form on ${localUrl}`);
  const posted = await fetch(action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ manifest }).toString(),
    redirect: "manual",
  });
  const location = posted.headers.get("location");
  if (posted.status !== 302 || !location)
    throw new Error(`GitHub fake refused the manifest: ${posted.status} ${await posted.text()}`);
  const callback = await fetch(location);
  await callback.text();
  return { callbackStatus: callback.status, callbackUrl: location };
}

function decodeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");
}
