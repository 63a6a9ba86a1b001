/**
 * The fake GitHub refuses what GitHub refuses (test/fakes/github-server.ts, RULES): each rule is
 * shown refusing a bad request, next to the good request it accepts, with GitHub's status code.
 */
import { strict as assert } from "node:assert";
import { createHmac, createSign, generateKeyPairSync } from "node:crypto";
import { appJwt } from "../../stacks/github/jwt.js";
import { readAgentRoles } from "../../templates/sources.js";
import { RULES, startFakeGitHub, type FakeApp, type FakeGitHub, type Manifest } from "../fakes/github-server.js";

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/** A JWT with the given header and claims, signed RS256 with the app's key unless `hs256`. */
function jwt(app: FakeApp, header: Record<string, unknown>, claims: Record<string, unknown>, hs256 = false): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  const sig = hs256
    ? createHmac("sha256", app.clientSecret).update(unsigned).digest()
    : createSign("RSA-SHA256").update(unsigned).sign(app.pem);
  return `${unsigned}.${sig.toString("base64url")}`;
}

describe("the fake GitHub refuses what GitHub refuses", function () {
  this.timeout(30_000);
  let fake: FakeGitHub;
  let app: FakeApp;
  const now = () => Math.floor(Date.now() / 1000);
  const get = (path: string, token: string) =>
    fetch(`${fake.apiUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const patch = (body: string, token = appJwt(String(app.id), app.pem)) =>
    fetch(`${fake.apiUrl}/app/hook/config`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body,
    });

  beforeEach(async () => {
    fake = await startFakeGitHub({ webhookSecret: "platform-secret-0123456789" });
    app = fake.addApp("acme-rex", "acme");
    app.hookUrl = `${fake.webhookUrl}/rex`;
    app.webhookSecret = "platform-secret-0123456789";
  });
  afterEach(async () => fake.close());

  it("every rule names the GitHub documentation page it comes from", () => {
    for (const [rule, source] of Object.entries(RULES)) assert.match(source, /^https:\/\/docs\.github\.com\//, rule);
  });

  describe("manifests (registration page)", () => {
    const good: Manifest = {
      name: "acme-tess",
      url: "https://github.com/acme",
      redirect_url: "http://127.0.0.1:1/callback",
      hook_attributes: { url: "https://hooks.acme.example/github/tess", active: true },
      default_permissions: { metadata: "read", pull_requests: "write", actions: "read" },
      default_events: ["pull_request", "workflow_run"],
    };
    const problems = (m: Partial<Manifest>) => fake.manifestProblems({ ...good, ...m } as Manifest, "acme");

    it("accepts a good manifest", () => assert.deepEqual(problems({}), []));

    it("refuses a name over 34 characters, a name in use, and another account's name", () => {
      assert.deepEqual(problems({ name: "a".repeat(34) }), []);
      assert.deepEqual(problems({ name: "a".repeat(35) }), ["Name is too long (maximum is 34 characters)"]);
      assert.deepEqual(problems({ name: "ACME rex" }), ["Name is already in use"]);
      assert.deepEqual(problems({ name: "octo" }), ["Name is already in use"]);
    });

    it("refuses hook_attributes without a URL, more than 10 callback URLs, a missing homepage", () => {
      assert.deepEqual(problems({ hook_attributes: { url: "", active: false } }), [
        "Hook attributes url can't be blank when hook_attributes is given",
      ]);
      assert.deepEqual(problems({ callback_urls: Array.from({ length: 11 }, (_, i) => `https://x/${i}`) }), [
        "Callback URLs: at most 10",
      ]);
      assert.deepEqual(problems({ url: "" }), ["Homepage URL must be a valid URL"]);
    });

    it("refuses unknown permissions and levels, unknown events, and an event without its permission", () => {
      assert.deepEqual(problems({ default_permissions: { metadata: "read", pull_request: "write" } }), [
        'unknown permission "pull_request"',
        'event "pull_request" needs the pull_requests permission',
        'event "workflow_run" needs the actions permission',
      ]);
      assert.deepEqual(problems({ default_permissions: { ...good.default_permissions, workflows: "read" } }), [
        'permission "workflows" cannot be "read" (GitHub offers write)',
      ]);
      assert.deepEqual(problems({ default_events: ["pull_request", "pull_requests"] }), [
        'unknown event "pull_requests"',
      ]);
      assert.deepEqual(problems({ default_events: ["push"] }), ['event "push" needs the contents permission']);
    });

    it("the registration page answers 422 for a refused manifest and creates nothing", async () => {
      const res = await fetch(`${fake.url}/organizations/acme/settings/apps/new?state=s`, {
        method: "POST",
        body: new URLSearchParams({ manifest: JSON.stringify({ ...good, name: "x".repeat(40) }) }),
        redirect: "manual",
      });
      assert.equal(res.status, 422);
      assert.equal(fake.apps.length, 1);
    });

    it("uses the same data file as the product's role table, which passes it", () => {
      const roles = readAgentRoles();
      for (const [name, role] of Object.entries(roles.roles)) {
        assert.deepEqual(
          fake.manifestProblems(
            { ...good, name: `acme-${name}`, default_permissions: role.permissions, default_events: role.events },
            "acme",
          ),
          [],
          name,
        );
      }
    });
  });

  describe("App JWTs", () => {
    it("accepts cto's own JWT (RS256, iat 60 s back, exp 9 min ahead), by app id or client id", async () => {
      assert.equal((await get("/app", appJwt(String(app.id), app.pem))).status, 200);
      assert.equal((await get("/app", appJwt(app.clientId, app.pem))).status, 200);
    });

    it("refuses HS256, a future iat, an expired token, and an exp more than 10 minutes ahead (401)", async () => {
      const t = now();
      const cases: [string, string, RegExp][] = [
        [
          "HS256",
          jwt(app, { alg: "HS256", typ: "JWT" }, { iat: t - 60, exp: t + 300, iss: app.id }, true),
          /'alg' must be RS256/,
        ],
        ["alg none", jwt(app, { alg: "none" }, { iat: t - 60, exp: t + 300, iss: app.id }), /'alg' must be RS256/],
        ["future iat", jwt(app, { alg: "RS256" }, { iat: t + 120, exp: t + 300, iss: app.id }), /'Issued at' claim/],
        [
          "expired",
          jwt(app, { alg: "RS256" }, { iat: t - 700, exp: t - 10, iss: app.id }),
          /'Expiration time' claim \('exp'\) must be a numeric value/,
        ],
        [
          "exp too far",
          jwt(app, { alg: "RS256" }, { iat: t - 60, exp: t + 660, iss: app.id }),
          /too far in the future/,
        ],
        [
          "window over 10 min",
          jwt(app, { alg: "RS256" }, { iat: t - 300, exp: t + 400, iss: app.id }),
          /too far in the future/,
        ],
        ["not decodable", "abc.def", /could not be decoded/],
      ];
      for (const [what, token, message] of cases) {
        const res = await get("/app", token);
        assert.equal(res.status, 401, what);
        assert.match(((await res.json()) as { message: string }).message, message, what);
      }
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const foreign = appJwt(String(app.id), privateKey.export({ type: "pkcs1", format: "pem" }).toString());
      const other = await get("/app", foreign);
      assert.equal(other.status, 401, "another key");
      assert.match(((await other.json()) as { message: string }).message, /could not be decoded/);
    });

    it("an iss no App has (app id or client id) is answered 404 Integration not found, as GitHub answers", async () => {
      for (const iss of [String(app.id + 999), "Iv1.nosuchclient0000"]) {
        const res = await get("/app", appJwt(iss, app.pem));
        assert.equal(res.status, 404, iss);
        assert.deepEqual(await res.json(), {
          message: "Integration not found",
          documentation_url: "https://docs.github.com/rest",
          status: "404",
        });
        const hook = await patch(JSON.stringify({ url: "https://x.example/rex" }), appJwt(iss, app.pem));
        assert.equal(hook.status, 404, `${iss}: PATCH /app/hook/config`);
      }
      assert.equal(app.hookUrl, `${fake.webhookUrl}/rex`, "nothing changed");
    });
  });

  describe("private Apps", () => {
    it("hidden from anonymous lookups and strangers (404), shown to the owner's members and to the App itself", async () => {
      assert.equal((await fetch(`${fake.apiUrl}/apps/acme-rex`)).status, 404);
      assert.equal((await get("/apps/acme-rex", fake.tokenFor("stranger"))).status, 404);
      assert.equal((await get("/apps/acme-rex", fake.tokenFor("octo"))).status, 200);
      assert.equal((await get("/apps/acme-rex", appJwt(String(app.id), app.pem))).status, 200);
      assert.equal((await get("/apps/acme-rex", "ghp_not-a-token")).status, 401);
      const pub = fake.addApp("acme-public", "acme", true);
      assert.equal((await fetch(`${fake.apiUrl}/apps/${pub.slug}`)).status, 200);
    });
  });

  describe("webhook configuration (PATCH /app/hook/config)", () => {
    it("accepts url, content_type, secret and insecure_ssl; the secret is never shown", async () => {
      const res = await patch(
        JSON.stringify({
          url: "https://hooks.acme.example/github/rex",
          content_type: "json",
          secret: "s3cret-value",
          insecure_ssl: "0",
        }),
      );
      assert.equal(res.status, 200);
      const body = (await res.json()) as Record<string, string>;
      assert.equal(body.url, "https://hooks.acme.example/github/rex");
      assert.equal(body.secret, "********");
      assert.equal(app.webhookSecret, "s3cret-value");
    });

    it("refuses bad fields (422, Validation Failed), bad JSON (400) and a bad JWT (401); nothing changes", async () => {
      const before = { url: app.hookUrl, secret: app.webhookSecret };
      for (const bad of [
        { url: "not a url" },
        { url: "ftp://x/y" },
        { content_type: "xml" },
        { secret: 42 },
        { insecure_ssl: "yes" },
      ]) {
        const res = await patch(JSON.stringify(bad));
        assert.equal(res.status, 422, JSON.stringify(bad));
        assert.equal(((await res.json()) as { message: string }).message, "Validation Failed");
      }
      assert.equal((await patch("{not json")).status, 400);
      assert.equal((await patch(JSON.stringify({ secret: "x" }), "nope")).status, 401);
      assert.deepEqual({ url: app.hookUrl, secret: app.webhookSecret }, before);
    });
  });

  describe("deliveries", () => {
    it("pages at most 100 with a cursor in the link header; items carry installation_id and repository_id", async () => {
      for (let i = 0; i < 105; i++)
        await fake.deliver("acme-rex", "issues", { action: "opened", i }, { installationId: 7, repositoryId: 9 });
      const token = appJwt(String(app.id), app.pem);
      const first = await get("/app/hook/deliveries?per_page=500", token);
      const page1 = (await first.json()) as { id: number; installation_id: number; repository_id: number }[];
      assert.equal(page1.length, 100, "capped at 100");
      assert.deepEqual([page1[0]?.installation_id, page1[0]?.repository_id], [7, 9]);
      const next = first.headers.get("link")?.match(/<([^>]+)>; rel="next"/)?.[1] ?? "";
      assert.match(next, /cursor=\d+/);
      const page2 = (await (
        await get(new URL(next).pathname.replace("/api/v3", "") + new URL(next).search, token)
      ).json()) as { id: number }[];
      assert.equal(page2.length, 5);
      assert.equal(new Set([...page1, ...page2].map((d) => d.id)).size, 105);
      assert.equal((await get("/app/hook/deliveries?per_page=0", token)).status, 422);
      assert.equal((await get("/app/hook/deliveries?cursor=nope", token)).status, 422);
    });

    it("redelivery answers 202 and sends the delivery again, marked redelivery", async () => {
      const d = await fake.deliver("acme-rex", "issues", { action: "opened" });
      const res = await fetch(`${fake.apiUrl}/app/hook/deliveries/${d?.id}/attempts`, {
        method: "POST",
        headers: { Authorization: `Bearer ${appJwt(String(app.id), app.pem)}` },
      });
      assert.equal(res.status, 202);
      assert.equal(app.deliveries.at(-1)?.redelivery, true);
      assert.equal(app.deliveries.at(-1)?.guid, d?.guid, "same delivery id");
      assert.equal(fake.received.at(-1)?.duplicate, true, "the receiver sees a repeated X-GitHub-Delivery");
    });
  });

  describe("deliveries as GitHub sends them", () => {
    it("GitHub's headers, a sha256 and a sha1 signature of the exact bytes, and the App's ping hook object", async () => {
      const fresh = await startFakeGitHub({ webhookSecret: "platform-secret-0123456789" });
      try {
        // A manifest flow's creation ping: the App's own secret, so the platform refuses it (401).
        const res = await fetch(`${fresh.url}/organizations/acme/settings/apps/new?state=s`, {
          method: "POST",
          body: new URLSearchParams({
            manifest: JSON.stringify({
              name: "acme-cleo",
              url: "https://github.com/acme",
              redirect_url: "http://127.0.0.1:1/cb",
              hook_attributes: { url: `${fresh.webhookUrl}/cleo` },
              default_permissions: { metadata: "read", pull_requests: "write" },
              default_events: ["pull_request"],
            }),
          }),
          redirect: "manual",
        });
        assert.equal(res.status, 302);
        const ping = fresh.received[0];
        assert.ok(ping);
        const cleo = fresh.app("acme-cleo");
        for (const h of [
          "x-github-hook-id",
          "x-github-event",
          "x-github-delivery",
          "x-hub-signature",
          "x-hub-signature-256",
          "user-agent",
          "x-github-hook-installation-target-type",
          "x-github-hook-installation-target-id",
        ]) {
          assert.ok(ping.headers[h], h);
        }
        assert.match(ping.headers["user-agent"] ?? "", /^GitHub-Hookshot\//);
        assert.equal(ping.headers["x-github-hook-installation-target-type"], "integration");
        assert.equal(
          ping.headers["x-hub-signature-256"],
          `sha256=${createHmac("sha256", cleo.webhookSecret).update(ping.body).digest("hex")}`,
        );
        const body = JSON.parse(ping.body) as { hook: Record<string, unknown>; hook_id: number };
        assert.equal(body.hook_id, cleo.id);
        assert.deepEqual([body.hook.type, body.hook.app_id, body.hook.events], ["App", cleo.id, ["pull_request"]]);
        assert.equal(ping.signatureValid, false, "signed with the App's own secret, not the platform's");
      } finally {
        await fresh.close();
      }
    });

    it("the receiver checks the raw bytes: a body with a multi-byte character split across chunks verifies", async () => {
      const body = Buffer.from(JSON.stringify({ action: "opened", title: "ünïcödé ✓ 🚀" }));
      const sig = `sha256=${createHmac("sha256", "platform-secret-0123456789").update(body).digest("hex")}`;
      const { request } = await import("node:http");
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${fake.webhookUrl}/rex`,
          {
            method: "POST",
            headers: {
              "X-Hub-Signature-256": sig,
              "X-GitHub-Event": "issues",
              "X-GitHub-Delivery": "d-1",
              "Content-Length": body.length,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        const cut = body.indexOf(Buffer.from("🚀")) + 2; // inside the 4-byte character
        req.write(body.subarray(0, cut));
        setTimeout(() => req.end(body.subarray(cut)), 20);
      });
      assert.equal(status, 204);
      assert.equal(fake.received.at(-1)?.signatureValid, true);
    });
  });
});
