/**
 * A fake GitHub on 127.0.0.1 for tests: the web pages and REST endpoints cto's GitHub integration
 * uses, and a webhook receiver standing in for the platform's endpoint.
 *
 * It refuses what GitHub refuses, wherever GitHub's documentation is clear. Each rule names its
 * page (RULES below, and docs/github.md "The fake GitHub"); test/unit/github-fake.test.ts shows
 * that each one refuses a bad request.
 *
 * Web (base `url`, like https://github.com or a GitHub Enterprise Server host):
 *   POST /organizations/:org/settings/apps/new?state=S  and  POST /settings/apps/new?state=S
 *     form field `manifest` (JSON); registers the app and redirects (302) to the manifest's
 *     `redirect_url` with `?code=…&state=S`, as GitHub does after the user confirms.
 * REST (base `apiUrl` = url + /api/v3, like a GitHub Enterprise Server):
 *   POST  /app-manifests/:code/conversions  (201; 404 when the code is unknown, used or expired)
 *   GET   /users/:login, /apps/:slug (a private app only for its owner's token or its own JWT)
 *   GET   /app, /app/installations, /app/hook/config, /app/hook/deliveries[/:id]  (RS256 JWT)
 *   PATCH /app/hook/config;  POST /app/hook/deliveries/:id/attempts (redelivery)
 * Receiver: POST /hooks/platform[/<agent>] verifies `X-Hub-Signature-256` over the raw bytes
 *   against that agent's secret (`receiverSecrets`, set by the test as the platform would hold
 *   it), else `webhookSecret`, answers 204 (200 for a delivery id seen before) or 401; every
 *   delivery is recorded in `received`.
 *
 * Rate limits on demand (`rateLimitNext`), codes that expire (`codeTtlMs`, `expireCodes`), a
 * conversion whose answer is lost (`loseConversionAnswers`), and a log of every request
 * (`requests`) so tests can check that secrets never travel where they should not.
 */
import {
  createHmac,
  createPublicKey,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { catalogProblems, readAppCatalog, type AppCatalog } from "../../templates/sources.js";

/** Where each rule of the fake comes from (GitHub Docs pages). */
export const RULES = {
  manifest:
    "https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest (parameters; hook_attributes.url is required; callback_urls: up to 10)",
  appName:
    "https://docs.github.com/apps/creating-github-apps/registering-a-github-app/registering-a-github-app (the name cannot be longer than 34 characters, must be unique, and cannot be another account's name)",
  permissionsAndEvents:
    "https://docs.github.com/apps/creating-github-apps/registering-a-github-app/choosing-permissions-for-a-github-app and https://docs.github.com/webhooks/webhook-events-and-payloads (templates/github-app-catalog.yaml)",
  jwt: "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app (RS256; iat in the past; exp at most 10 minutes ahead; iss the app's id or client id, used to find the key that verifies the signature). The answers when iss names no App or the key is not the App's are not documented; the fake gives the ones users report from GitHub: no such App → 404 'Integration not found' (documentation_url https://docs.github.com/rest), a key that is not the App's → 401 'A JSON web token could not be decoded' (github.com/octokit/auth-app.js/issues/375)",
  privateApp:
    "https://docs.github.com/rest/apps/apps#get-an-app (a private app needs authentication: a token of someone who can see it)",
  hookConfig:
    "https://docs.github.com/rest/apps/webhooks#update-a-webhook-configuration-for-an-app (url, content_type json|form, secret, insecure_ssl '0'|'1'; 422 otherwise)",
  deliveries:
    "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook (per_page max 100, cursor pagination through the link header; installation_id and repository_id in each item) and #redeliver-a-delivery-for-an-app-webhook (202)",
  signature:
    "https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries (HMAC-SHA256 of the payload bytes, hex, 'sha256=' prefix; constant-time compare)",
  headers:
    "https://docs.github.com/webhooks/webhook-events-and-payloads#delivery-headers and #ping (X-GitHub-Hook-ID, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature, X-Hub-Signature-256, User-Agent GitHub-Hookshot/…, X-GitHub-Hook-Installation-Target-Type/-ID; the ping's hook object)",
} as const;

/** GitHub's limit on an app's name. */
export const APP_NAME_MAX = 34;

export interface FakeApp {
  id: number;
  slug: string;
  name: string;
  owner: { login: string; type: "Organization" | "User" };
  public: boolean;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  pem: string;
  publicKeyPem: string;
  /** Extra keys (rotation). */
  otherPublicKeys: string[];
  hookUrl: string;
  hookActive: boolean;
  hookContentType: "json" | "form";
  hookInsecureSsl: "0" | "1";
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
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: string | null;
  /** What was sent, for redelivery and GET /app/hook/deliveries/:id. */
  request: { headers: Record<string, string>; payload: Buffer };
}

export interface ReceivedHook {
  /** Path under /hooks/platform ("" or "/rex"). */
  path: string;
  event: string;
  delivery: string;
  headers: Record<string, string>;
  signatureValid: boolean;
  /** A delivery id seen before (GitHub's redelivery, or a replay): acknowledged, not processed. */
  duplicate: boolean;
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
  /** Organisation members (who may see its private apps). Default: octo is a member of acme. */
  members?: Record<string, string[]>;
  /** The user signed in to the browser (owner of apps made on /settings/apps/new). Default octo. */
  browserUser?: string;
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

type Send = (status: number, value: unknown, headers?: Record<string, string>) => void;

export class FakeGitHub {
  url = "";
  apiUrl = "";
  /** The platform's webhook endpoint on this fake (agents' App URLs are `<webhookUrl>/<agent>`). */
  webhookUrl = "";
  readonly apps: FakeApp[] = [];
  readonly received: ReceivedHook[] = [];
  readonly requests: RequestRecord[] = [];
  /** Personal access tokens: token → login. */
  readonly tokens = new Map<string, string>();
  webhookSecret: string;
  /** The secret the receiver checks each agent's path with ("rex" → secret), like the platform's endpoints. */
  readonly receiverSecrets = new Map<string, string>();
  /** The next N conversions are carried out on GitHub's side, but their answer never arrives. */
  loseConversionAnswers = 0;
  readonly catalog: AppCatalog = readAppCatalog();
  private readonly accounts: Record<string, "Organization" | "User">;
  private readonly members: Record<string, string[]>;
  private readonly codes = new Map<string, { appId: number; expires: number }>();
  private readonly limits: RateLimitSpec[] = [];
  private readonly seenDeliveries = new Set<string>();
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  private nextId = 1000;
  private codeTtlMs: number;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.accounts = options.accounts ?? { acme: "Organization", octo: "User" };
    this.members = options.members ?? { acme: ["octo"] };
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
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A personal access token of `login` (default octo), as `gh auth token` would give. */
  tokenFor(login = "octo"): string {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    this.tokens.set(token, login);
    return token;
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
    const app = this.app(slug);
    const id = this.nextId++;
    app.installations.push({ id, account });
    return id;
  }

  /** Registers an app directly (as if created earlier by hand), private unless `isPublic`. */
  addApp(name: string, owner: string, isPublic = false): FakeApp {
    return this.register({ name, url: "https://example.invalid", public: isPublic }, owner);
  }

  app(slug: string): FakeApp {
    const app = this.apps.find((a) => a.slug === slug);
    if (!app) throw new Error(`no app ${slug}`);
    return app;
  }

  private register(manifest: Manifest, owner: string): FakeApp {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const id = this.nextId++;
    const app: FakeApp = {
      id,
      slug: slugOf(manifest.name),
      name: manifest.name,
      owner: { login: owner, type: this.accounts[owner] ?? "User" },
      public: manifest.public === true,
      clientId: `Iv1.${randomBytes(8).toString("hex")}`,
      clientSecret: randomBytes(20).toString("hex"),
      webhookSecret: randomBytes(20).toString("hex"),
      pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
      otherPublicKeys: [],
      hookUrl: manifest.hook_attributes?.url ?? "",
      // hook_attributes.active defaults to true (manifest docs). What GitHub does without
      // hook_attributes is not documented; the fake keeps the webhook on, waiting for a URL.
      hookActive: manifest.hook_attributes?.active !== false,
      hookContentType: "json",
      hookInsecureSsl: "0",
      permissions: manifest.default_permissions ?? {},
      events: manifest.default_events ?? [],
      installations: [],
      deliveries: [],
    };
    this.apps.push(app);
    if (this.options.autoInstall) this.install(app.slug, owner);
    return app;
  }

  /** A new key pair for an app (what "Generate a private key" does); returns the private key. */
  newPrivateKey(slug: string): string {
    const app = this.app(slug);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    app.otherPublicKeys.push(publicKey.export({ type: "spki", format: "pem" }).toString());
    return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  }

  /**
   * GitHub delivering an event of an app to the app's webhook, signed with the app's secret, with
   * GitHub's headers. Recorded in the app's deliveries. Nothing is sent without an active hook URL.
   * `ids.deliveryId`: the delivery's id (default: the next free one), e.g. the one a help example names.
   */
  async deliver(
    slug: string,
    event: string,
    payload: Record<string, unknown>,
    ids: { installationId?: number; repositoryId?: number; deliveryId?: number } = {},
  ): Promise<FakeDelivery | undefined> {
    const app = this.app(slug);
    if (!app.hookActive || !app.hookUrl) return undefined;
    const body = Buffer.from(JSON.stringify(payload));
    const guid = randomUUID();
    const headers: Record<string, string> = {
      Accept: "*/*",
      "Content-Type": app.hookContentType === "json" ? "application/json" : "application/x-www-form-urlencoded",
      "User-Agent": "GitHub-Hookshot/fake",
      "X-GitHub-Delivery": guid,
      "X-GitHub-Event": event,
      "X-GitHub-Hook-ID": String(app.id),
      "X-GitHub-Hook-Installation-Target-ID": String(app.id),
      "X-GitHub-Hook-Installation-Target-Type": "integration",
      "X-Hub-Signature": `sha1=${createHmac("sha1", app.webhookSecret).update(body).digest("hex")}`,
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", app.webhookSecret).update(body).digest("hex")}`,
    };
    const action = typeof payload.action === "string" ? payload.action : null;
    return this.send(app, event, action, { headers, payload: body }, ids, false);
  }

  private async send(
    app: FakeApp,
    event: string,
    action: string | null,
    request: FakeDelivery["request"],
    ids: { installationId?: number; repositoryId?: number; deliveryId?: number },
    redelivery: boolean,
  ): Promise<FakeDelivery> {
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(app.hookUrl, {
        method: "POST",
        headers: request.headers,
        body: request.payload,
        signal: AbortSignal.timeout(10_000),
        redirect: "manual",
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 0;
    }
    const delivery: FakeDelivery = {
      id: ids.deliveryId ?? this.nextId++,
      guid: request.headers["X-GitHub-Delivery"] as string,
      delivered_at: new Date().toISOString(),
      redelivery,
      duration: (performance.now() - started) / 1000,
      status: status >= 200 && status < 300 ? "OK" : status === 0 ? "failed to connect" : "Invalid HTTP Response",
      status_code: status === 0 ? 502 : status,
      event,
      action,
      installation_id: ids.installationId ?? null,
      repository_id: ids.repositoryId ?? null,
      throttled_at: null,
      request,
    };
    app.deliveries.push(delivery);
    return delivery;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = raw.toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const record: RequestRecord = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      authorization: req.headers.authorization,
      body,
      status: 0,
    };
    this.requests.push(record);
    const send: Send = (status, value, headers = {}) => {
      record.status = status;
      json(res, status, value, headers);
    };

    const hook = url.pathname.match(/^\/hooks\/platform(\/[^/]+)?$/);
    if (hook && req.method === "POST") return this.receive(hook[1] ?? "", req, raw, record, res);

    const newApp = url.pathname.match(/^\/(?:organizations\/([^/]+)\/)?settings\/apps\/new$/);
    if (newApp && req.method === "POST") return this.newAppPage(newApp[1], url, body, record, res);

    if (!url.pathname.startsWith("/api/v3/")) return send(404, notFound());
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
      const key = decodeURIComponent(m[1] as string);
      const code = this.codes.get(key);
      if (!code || code.expires < Date.now()) return send(404, notFound());
      this.codes.delete(key);
      const app = this.apps.find((a) => a.id === code.appId) as FakeApp;
      if (this.loseConversionAnswers > 0) {
        // Done on GitHub's side (the code is used up), but the answer never reaches cto.
        this.loseConversionAnswers--;
        record.status = -1;
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
      }
      return send(201, {
        ...this.publicApp(app),
        client_id: app.clientId,
        client_secret: app.clientSecret,
        webhook_secret: app.webhookSecret,
        pem: app.pem,
      });
    }
    if (path === "/user" && req.method === "GET") {
      // The signed-in user of a token (what `cto doctor`'s token check asks); 401 without one.
      const viewer = this.authenticate(req.headers.authorization);
      if (viewer.kind === "refused") return send(401, { message: viewer.message });
      if (viewer.kind !== "user") return send(401, { message: "Requires authentication" });
      return send(200, { login: viewer.login, type: this.accounts[viewer.login] ?? "User" });
    }
    if ((m = path.match(/^\/users\/([^/]+)$/)) && req.method === "GET") {
      const login = Object.keys(this.accounts).find(
        (a) => a.toLowerCase() === decodeURIComponent(m?.[1] ?? "").toLowerCase(),
      );
      if (!login) return send(404, notFound());
      return send(200, { login, type: this.accounts[login] });
    }
    if ((m = path.match(/^\/apps\/([^/]+)$/)) && req.method === "GET") {
      const app = this.apps.find((a) => a.slug === decodeURIComponent(m?.[1] ?? ""));
      const viewer = this.authenticate(req.headers.authorization);
      if (viewer.kind === "refused") return send(401, { message: viewer.message });
      if (!app || !this.canSee(app, viewer)) return send(404, notFound());
      return send(200, this.publicApp(app));
    }
    if (path.startsWith("/app/") || path === "/app") {
      const auth = this.verifyJwt(req.headers.authorization);
      if ("message" in auth) {
        return send(auth.status, {
          message: auth.message,
          documentation_url: auth.status === 404 ? "https://docs.github.com/rest" : RULES.jwt.split(" ")[0],
          status: String(auth.status),
        });
      }
      return this.appEndpoint(auth.app, req.method ?? "GET", path, url, body, send);
    }
    return send(404, notFound());
  }

  private async appEndpoint(app: FakeApp, method: string, path: string, url: URL, body: string, send: Send) {
    if (path === "/app" && method === "GET") return send(200, this.publicApp(app));
    if (path === "/app/installations" && method === "GET") {
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
    if (path === "/app/hook/config" && method === "GET") return send(200, this.hookConfig(app));
    if (path === "/app/hook/config" && method === "PATCH") {
      let patch: unknown;
      try {
        patch = JSON.parse(body || "{}");
      } catch {
        return send(400, { message: "Problems parsing JSON" });
      }
      const problems = hookConfigProblems(patch);
      if (problems.length > 0) return send(422, validationFailed(problems));
      const p = patch as {
        url?: string;
        content_type?: "json" | "form";
        secret?: string;
        insecure_ssl?: string | number;
      };
      if (p.url !== undefined) app.hookUrl = p.url;
      if (p.content_type !== undefined) app.hookContentType = p.content_type;
      if (p.secret !== undefined) app.webhookSecret = p.secret;
      if (p.insecure_ssl !== undefined) app.hookInsecureSsl = String(p.insecure_ssl) as "0" | "1";
      return send(200, this.hookConfig(app));
    }
    if (path === "/app/hook/deliveries" && method === "GET") {
      const perPageText = url.searchParams.get("per_page");
      const perPage = perPageText === null ? 30 : Number(perPageText);
      if (!Number.isInteger(perPage) || perPage < 1) {
        return send(422, validationFailed([`per_page must be a positive integer, got ${perPageText}`]));
      }
      const size = Math.min(perPage, 100);
      const newest = [...app.deliveries].reverse();
      const cursor = url.searchParams.get("cursor");
      let start = 0;
      if (cursor !== null) {
        start = newest.findIndex((d) => String(d.id) === cursor);
        if (start < 0) return send(422, validationFailed([`cursor ${cursor} is not a delivery of this hook`]));
      }
      const page = newest.slice(start, start + size);
      const next = newest[start + size];
      const headers: Record<string, string> = {};
      if (next) {
        const nextUrl = new URL(url);
        nextUrl.searchParams.set("per_page", String(size));
        nextUrl.searchParams.set("cursor", String(next.id));
        headers.link = `<${nextUrl.toString()}>; rel="next"`;
      }
      return send(200, page.map(deliveryItem), headers);
    }
    const one = path.match(/^\/app\/hook\/deliveries\/(\d+)(\/attempts)?$/);
    if (one) {
      const delivery = app.deliveries.find((d) => String(d.id) === one[1]);
      if (!delivery) return send(404, notFound());
      if (!one[2] && method === "GET") {
        return send(200, {
          ...deliveryItem(delivery),
          url: app.hookUrl,
          request: { headers: delivery.request.headers, payload: JSON.parse(delivery.request.payload.toString()) },
        });
      }
      if (one[2] && method === "POST") {
        // GitHub queues the redelivery and answers 202; the fake sends it before answering. It
        // signs with the App's current secret (GitHub's docs do not say; a redelivery after a
        // secret change is what cto github redeliver is for).
        const payload = delivery.request.payload;
        const headers = {
          ...delivery.request.headers,
          "X-Hub-Signature": `sha1=${createHmac("sha1", app.webhookSecret).update(payload).digest("hex")}`,
          "X-Hub-Signature-256": `sha256=${createHmac("sha256", app.webhookSecret).update(payload).digest("hex")}`,
        };
        await this.send(
          app,
          delivery.event,
          delivery.action,
          { headers, payload },
          { installationId: delivery.installation_id ?? undefined, repositoryId: delivery.repository_id ?? undefined },
          true,
        );
        return send(202, {});
      }
    }
    return send(404, notFound());
  }

  private hookConfig(app: FakeApp): Record<string, string> {
    return {
      content_type: app.hookContentType,
      insecure_ssl: app.hookInsecureSsl,
      url: app.hookUrl,
      ...(app.webhookSecret ? { secret: "********" } : {}),
    };
  }

  /** The platform's receiver: raw bytes, constant-time compare, deliveries deduplicated by id. */
  private receive(path: string, req: IncomingMessage, raw: Buffer, record: RequestRecord, res: ServerResponse): void {
    const secret = this.receiverSecrets.get(path.replace(/^\//, "")) ?? this.webhookSecret;
    const signature = Buffer.from(String(req.headers["x-hub-signature-256"] ?? ""));
    const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
    const valid = secret !== "" && signature.length === expected.length && timingSafeEqual(signature, expected);
    const delivery = String(req.headers["x-github-delivery"] ?? "");
    const duplicate = valid && this.seenDeliveries.has(delivery);
    if (valid) this.seenDeliveries.add(delivery);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    this.received.push({
      path,
      event: String(req.headers["x-github-event"] ?? ""),
      delivery,
      headers,
      signatureValid: valid,
      duplicate,
      body: raw.toString("utf8"),
    });
    record.status = valid ? (duplicate ? 200 : 204) : 401;
    if (!valid) return json(res, 401, { message: "signature mismatch" });
    res.writeHead(record.status).end();
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
    const owner = org ? decodeURIComponent(org) : (this.options.browserUser ?? "octo");
    if (org && this.accounts[owner] !== "Organization") return fail(404, "no such organization");
    const problems = this.manifestProblems(manifest, owner);
    if (problems.length > 0) return fail(422, problems.join("\n"));
    const app = this.register(manifest, owner);
    if (app.hookActive && app.hookUrl) {
      await this.deliver(app.slug, "ping", {
        zen: "Design for failure.",
        hook_id: app.id,
        hook: {
          type: "App",
          id: app.id,
          name: "web",
          active: true,
          events: app.events,
          config: { content_type: "json", insecure_ssl: "0", url: app.hookUrl },
          updated_at: new Date().toISOString(),
          created_at: new Date().toISOString(),
          app_id: app.id,
          deliveries_url: `${this.apiUrl}/app/hook/deliveries`,
        },
      });
    }
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, { appId: app.id, expires: Date.now() + this.codeTtlMs });
    const target = new URL(manifest.redirect_url as string);
    target.searchParams.set("code", code);
    target.searchParams.set("state", state);
    record.status = 302;
    res.writeHead(302, { Location: target.toString() }).end();
  }

  /**
   * What GitHub's registration page refuses in a manifest (RULES.manifest, appName, permissionsAndEvents).
   * Size: GitHub documents no limit on the manifest as a whole (its parameters page gives only the
   * 10 callback URLs; the registration page the 34-character name), so the fake enforces no size.
   */
  manifestProblems(manifest: Manifest, owner: string): string[] {
    const problems: string[] = [];
    if (typeof manifest.name !== "string" || manifest.name.trim() === "") problems.push("Name can't be blank");
    else {
      if (manifest.name.length > APP_NAME_MAX)
        problems.push(`Name is too long (maximum is ${APP_NAME_MAX} characters)`);
      const slug = slugOf(manifest.name);
      if (this.apps.some((a) => a.slug === slug)) problems.push("Name is already in use");
      const account = Object.keys(this.accounts).find((a) => a.toLowerCase() === slug);
      if (account && account.toLowerCase() !== owner.toLowerCase()) problems.push("Name is already in use");
    }
    if (!isHttpUrl(manifest.url)) problems.push("Homepage URL must be a valid URL");
    if (!isHttpUrl(manifest.redirect_url)) problems.push("redirect_url must be a valid URL");
    if (manifest.hook_attributes !== undefined && !isHttpUrl(manifest.hook_attributes.url)) {
      problems.push("Hook attributes url can't be blank when hook_attributes is given");
    }
    if ((manifest.callback_urls ?? []).length > 10) problems.push("Callback URLs: at most 10");
    const permissions = manifest.default_permissions ?? {};
    if (Object.keys(permissions).length > 0 && permissions.metadata === undefined) {
      problems.push("metadata permission is required");
    }
    problems.push(...catalogProblems(this.catalog, permissions, manifest.default_events ?? []));
    return problems;
  }

  private publicApp(app: FakeApp): Record<string, unknown> {
    return {
      id: app.id,
      slug: app.slug,
      client_id: app.clientId,
      node_id: `A_${app.id}`,
      name: app.name,
      owner: { login: app.owner.login, type: app.owner.type },
      html_url: `${this.url}/apps/${app.slug}`,
      permissions: app.permissions,
      events: app.events,
    };
  }

  private authenticate(
    header: string | undefined,
  ):
    | { kind: "anonymous" }
    | { kind: "user"; login: string }
    | { kind: "app"; app: FakeApp }
    | { kind: "refused"; message: string } {
    if (!header) return { kind: "anonymous" };
    const token = header.match(/^(?:Bearer|token) (.+)$/)?.[1] ?? "";
    const login = this.tokens.get(token);
    if (login) return { kind: "user", login };
    const jwt = this.verifyJwt(header);
    if ("app" in jwt) return { kind: "app", app: jwt.app };
    return { kind: "refused", message: "Bad credentials" };
  }

  private canSee(app: FakeApp, viewer: ReturnType<FakeGitHub["authenticate"]>): boolean {
    if (app.public) return true;
    if (viewer.kind === "app") return viewer.app.id === app.id;
    if (viewer.kind !== "user") return false;
    const owner = app.owner.login.toLowerCase();
    return (
      viewer.login.toLowerCase() === owner ||
      (this.members[app.owner.login] ?? []).some((m) => m.toLowerCase() === viewer.login.toLowerCase())
    );
  }

  /** The app whose key signed this JWT, or GitHub's status and reason for refusing it (RULES.jwt). */
  verifyJwt(header: string | undefined): { app: FakeApp } | { status: 401 | 404; message: string } {
    const undecodable = { status: 401 as const, message: "A JSON web token could not be decoded" };
    const token = header?.match(/^Bearer (.+)$/)?.[1];
    const parts = token?.split(".");
    if (!parts || parts.length !== 3) return undecodable;
    const [h, p, s] = parts as [string, string, string];
    let head: { alg?: unknown };
    let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
    try {
      head = JSON.parse(Buffer.from(h, "base64url").toString()) as typeof head;
      claims = JSON.parse(Buffer.from(p, "base64url").toString()) as typeof claims;
    } catch {
      return undecodable;
    }
    if (head.alg !== "RS256")
      return { status: 401, message: "'alg' must be RS256: GitHub App JWTs are signed with the app's RSA key" };
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iat !== "number" || !Number.isInteger(claims.iat) || claims.iat > now) {
      return {
        status: 401,
        message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
      };
    }
    if (typeof claims.exp !== "number" || !Number.isInteger(claims.exp) || claims.exp <= now) {
      return {
        status: 401,
        message:
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      };
    }
    if (claims.exp > now + 600 || claims.exp - claims.iat > 600) {
      return { status: 401, message: "'Expiration time' claim ('exp') is too far in the future" };
    }
    const app = this.apps.find((a) => String(a.id) === String(claims.iss) || a.clientId === claims.iss);
    // An iss no App has: GitHub answers 404 (RULES.jwt), before it looks at the signature.
    if (!app) return { status: 404, message: "Integration not found" };
    for (const key of [app.publicKeyPem, ...app.otherPublicKeys]) {
      const ok = createVerify("RSA-SHA256")
        .update(`${h}.${p}`)
        .verify(createPublicKey(key), Buffer.from(s, "base64url"));
      if (ok) return { app };
    }
    return undecodable;
  }
}

export interface Manifest {
  name: string;
  url: string;
  public?: boolean;
  redirect_url?: string;
  callback_urls?: string[];
  hook_attributes?: { url: string; active?: boolean };
  default_permissions?: Record<string, string>;
  default_events?: string[];
}

/** The webhook-config fields GitHub refuses (RULES.hookConfig). */
function hookConfigProblems(patch: unknown): string[] {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return ["the body must be a JSON object"];
  const p = patch as Record<string, unknown>;
  const problems: string[] = [];
  if (p.url !== undefined && !isHttpUrl(p.url))
    problems.push(`url: ${JSON.stringify(p.url)} is not a valid http(s) URL`);
  if (p.content_type !== undefined && p.content_type !== "json" && p.content_type !== "form") {
    problems.push(`content_type: ${JSON.stringify(p.content_type)} is not json or form`);
  }
  if (p.secret !== undefined && typeof p.secret !== "string") problems.push("secret: must be a string");
  if (p.insecure_ssl !== undefined && !["0", "1", 0, 1].includes(p.insecure_ssl as string | number)) {
    problems.push(`insecure_ssl: ${JSON.stringify(p.insecure_ssl)} is not "0" or "1"`);
  }
  return problems;
}

function deliveryItem(d: FakeDelivery): Omit<FakeDelivery, "request"> {
  const { request: _request, ...item } = d;
  return item;
}

function notFound(): Record<string, string> {
  return { message: "Not Found", documentation_url: "https://docs.github.com/rest" };
}

function validationFailed(problems: string[]): Record<string, unknown> {
  return {
    message: "Validation Failed",
    errors: problems.map((message) => ({ resource: "Hook", code: "invalid", message })),
    documentation_url: "https://docs.github.com/rest",
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string" || value === "") return false;
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(value));
}

/** The body as bytes, unchanged (a signature is over these bytes, not a re-decoded string). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
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
