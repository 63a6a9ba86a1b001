import { strict as assert } from "node:assert";
import { UserError } from "../../config/errors.js";
import { GitHubApi } from "../../stacks/github/api.js";
import { createAgentApps, detectOwner } from "../../stacks/github/apps.js";
import { readAppCredentials } from "../../stacks/github/credentials.js";
import { manifestToPost, runManifestFlow } from "../../stacks/github/manifest-flow.js";
import { githubStatus, renderStatus } from "../../stacks/github/status.js";
import { newAppUrl } from "../../stacks/github/urls.js";
import { sendPing, signatureFor } from "../../stacks/github/webhook-ping.js";
import { renderPlatform } from "../../templates/index.js";
import type { GitHubAppManifest } from "../../templates/rendered.js";
import { acmePlan } from "../golden/acme-plans.js";
import type { Plan } from "../../profiles/plan.js";
import { tunnelSummary } from "../../stacks/github/tunnel-status.js";
import { actAsBrowser, startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import { MemorySecretsStore } from "../fakes/memory-secrets.js";

/** The real rendered manifests of acme's standard plan (rex, cleo, tess), pointed at the fake. */
function manifests(fake: FakeGitHub): Record<string, GitHubAppManifest> {
  const plan = acmePlan("standard");
  plan.github.baseUrl = fake.apiUrl;
  plan.github.webhookUrl = fake.webhookUrl;
  return renderPlatform(plan, { env: {}, randomStore: {} }).githubAppManifests;
}

/** Runs the flow, driving the local page like a browser once it is announced. */
function flowWithBrowser(fake: FakeGitHub, api: GitHubApi, manifest: GitHubAppManifest, said: string[]) {
  return runManifestFlow({
    api,
    webUrl: fake.url,
    owner: { kind: "organization", login: "acme" },
    manifest,
    say: (m) => {
      said.push(m);
      const local = m.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
      if (local) void actAsBrowser(local);
    },
  });
}

describe("github manifest flow against the fake GitHub", function () {
  this.timeout(30_000);
  let fake: FakeGitHub;
  let api: GitHubApi;
  beforeEach(async () => {
    fake = await startFakeGitHub();
    api = new GitHubApi({ baseUrl: fake.apiUrl, sleep: async () => undefined });
  });
  afterEach(async () => fake.close());

  it("builds new-app URLs for organisations and users", () => {
    assert.equal(
      newAppUrl("https://github.com", { kind: "organization", login: "acme" }, "s t"),
      "https://github.com/organizations/acme/settings/apps/new?state=s%20t",
    );
    assert.equal(
      newAppUrl("https://ghe.acme.example/", { kind: "user", login: "octo" }, "x"),
      "https://ghe.acme.example/settings/apps/new?state=x",
    );
  });

  it("creates an app through the callback with the right state and returns its credentials", async () => {
    const said: string[] = [];
    const app = await flowWithBrowser(fake, api, manifests(fake).rex as GitHubAppManifest, said);
    assert.equal(app.name, "acme-rex");
    assert.match(app.pem, /BEGIN RSA PRIVATE KEY/);
    const registered = fake.apps[0];
    assert.equal(registered?.owner.login, "acme");
    assert.deepEqual(registered?.permissions, manifests(fake).rex?.default_permissions);
    assert.equal(registered?.hookUrl, fake.webhookUrl);
    // The state posted to GitHub is long and random, and came back on the callback.
    const post = fake.requests.find((r) => r.url.includes("/settings/apps/new"));
    const state = new URL(post?.url ?? "", fake.url).searchParams.get("state") ?? "";
    assert.ok(state.length >= 40, `state ${state}`);
    assert.ok(said.every((m) => !m.includes(app.pem) && !m.includes(app.client_secret)));
  });

  it("refuses callbacks with a wrong or missing state, and still completes with the right one", async () => {
    const said: string[] = [];
    let local = "";
    const flow = runManifestFlow({
      api,
      webUrl: fake.url,
      owner: { kind: "organization", login: "acme" },
      manifest: manifests(fake).cleo as GitHubAppManifest,
      say: (m) => {
        said.push(m);
        local ||= m.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1] ?? "";
      },
    });
    while (!local) await new Promise((r) => setTimeout(r, 10));
    const missing = await fetch(`${local}callback?code=abc`);
    assert.equal(missing.status, 400);
    const wrong = await fetch(`${local}callback?code=abc&state=forged`);
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /state mismatch/);
    assert.equal(fake.requests.filter((r) => r.url.includes("/conversions")).length, 0, "no code was exchanged");
    const { callbackStatus } = await actAsBrowser(local);
    assert.equal(callbackStatus, 200);
    const app = await flow;
    assert.equal(app.name, "acme-cleo");
    assert.equal(said.filter((m) => /refused a callback/.test(m)).length, 2);
    assert.match(said.find((m) => /no state/.test(m)) ?? "", /still waiting/);
    // One-shot: the server is gone after success.
    await assert.rejects(fetch(local));
  });

  it("reports an expired code (404) clearly", async () => {
    fake = await (async () => {
      await fake.close();
      return startFakeGitHub({ codeTtlMs: 0 });
    })();
    api = new GitHubApi({ baseUrl: fake.apiUrl });
    await assert.rejects(flowWithBrowser(fake, api, manifests(fake).tess as GitHubAppManifest, []), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(
        err.message,
        /GitHub did not accept the code for acme-tess \(404 .*\): it expired \(a code is valid for one hour/,
      );
      assert.match(err.hint ?? "", /\/organizations\/acme\/settings\/apps\/acme-tess/);
      return true;
    });
  });

  it("retries the code exchange when it is rate-limited", async () => {
    const waits: string[] = [];
    api = new GitHubApi({ baseUrl: fake.apiUrl, onWait: (m) => waits.push(m), sleep: async () => undefined });
    fake.rateLimitNext({ count: 1, status: 403, retryAfter: 1, pathPrefix: "/app-manifests/" });
    const app = await flowWithBrowser(fake, api, manifests(fake).rex as GitHubAppManifest, []);
    assert.equal(app.slug, "acme-rex");
    assert.match(waits[0] ?? "", /POST \/app-manifests\/<code>\/conversions: waiting 1s/);
  });

  it("times out with a clear message when nobody confirms", async () => {
    await assert.rejects(
      runManifestFlow({
        api,
        webUrl: fake.url,
        owner: { kind: "organization", login: "acme" },
        manifest: manifests(fake).rex as GitHubAppManifest,
        say: () => undefined,
        timeoutMs: 50,
      }),
      /no answer from GitHub for acme-rex/,
    );
  });
});

describe("github apps create: three agents, idempotent, installations", function () {
  this.timeout(60_000);
  let fake: FakeGitHub;
  let api: GitHubApi;
  let store: MemorySecretsStore;
  const run = (extra: Partial<Parameters<typeof createAgentApps>[0]> = {}, said: string[] = []) =>
    createAgentApps({
      api,
      webUrl: fake.url,
      owner: { kind: "organization", login: "acme" },
      manifests: manifests(fake),
      store,
      runFlow: (_agent, manifest) => flowWithBrowser(fake, api, manifest, said),
      say: (m) => said.push(m),
      sleep: async () => undefined,
      ...extra,
    });

  beforeEach(async () => {
    fake = await startFakeGitHub({ webhookSecret: "platform-webhook-secret-0123456789" });
    api = new GitHubApi({ baseUrl: fake.apiUrl, sleep: async () => undefined });
    store = new MemorySecretsStore();
  });
  afterEach(async () => fake.close());

  it("detects whether the owner is an organisation or a user, and names a missing one", async () => {
    assert.deepEqual(await detectOwner(api, "ACME"), { kind: "organization", login: "acme" });
    assert.deepEqual(await detectOwner(api, "octo"), { kind: "user", login: "octo" });
    await assert.rejects(detectOwner(api, "nobody"), /has no organisation or user named nobody/);
  });

  it("creates rex, cleo and tess, stores every credential, and keeps them on a second run", async () => {
    const said: string[] = [];
    const first = await run({}, said);
    assert.deepEqual(
      first.map((r) => [r.agent, r.name, r.outcome]),
      [
        ["cleo", "acme-cleo", "created"],
        ["rex", "acme-rex", "created"],
        ["tess", "acme-tess", "created"],
      ],
    );
    assert.equal(fake.apps.length, 3);
    for (const app of fake.apps) {
      const agent = app.slug.replace("acme-", "");
      const creds = await readAppCredentials(store, agent);
      assert.equal(creds?.id, String(app.id));
      assert.equal(creds?.privateKey, app.pem);
      assert.equal(creds?.clientSecret, app.clientSecret);
      assert.equal(creds?.webhookSecret, app.webhookSecret);
      assert.equal(creds?.slug, app.slug);
    }
    // Not installed yet: the install page is shown.
    assert.ok(first.every((r) => r.installation === null));
    assert.match(
      said.join("\n"),
      /install acme-rex on acme: http:\/\/127\.0\.0\.1:\d+\/apps\/acme-rex\/installations\/new/,
    );
    for (const app of fake.apps)
      for (const secret of [app.pem, app.clientSecret, app.webhookSecret]) {
        assert.ok(!said.join("\n").includes(secret), "a secret was said");
      }

    const again = await run();
    assert.deepEqual(
      again.map((r) => r.outcome),
      ["kept", "kept", "kept"],
    );
    assert.equal(fake.apps.length, 3, "no app created twice");
  });

  it("waits for the installation and reports it", async () => {
    await run();
    let polls = 0;
    const results = await run({
      waitForInstall: { timeoutMs: 60_000, pollMs: 1 },
      sleep: async () => {
        if (++polls === 2) for (const a of fake.apps) fake.install(a.slug, "acme");
      },
    });
    assert.ok(results.every((r) => r.installation !== null && r.installation.repositorySelection === "all"));
  });

  it("refuses to go on when an app of that name exists without stored credentials", async () => {
    fake.addApp("acme-rex", "acme");
    await assert.rejects(run(), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /nothing was created; 1 app\(s\) need attention/);
      assert.match(
        err.message,
        /rex: a GitHub App named acme-rex already exists, but this environment holds no credentials/,
      );
      assert.match(err.hint ?? "", /github\.apps\.rex\.slug/);
      return true;
    });
    assert.equal(fake.apps.length, 1, "nothing was created");
  });

  it("names stored credentials that GitHub refuses", async () => {
    await run();
    fake.apps.splice(
      fake.apps.findIndex((a) => a.slug === "acme-tess"),
      1,
    );
    await assert.rejects(run(), /tess: GitHub refuses its stored credentials/);
  });

  it("rotates the webhook secret and a new private key of kept apps", async () => {
    await run();
    const before = await readAppCredentials(store, "rex");
    const newKeys: Record<string, string> = {};
    const results = await run({
      rotateKeys: {
        newPrivateKey: async (agent, settingsUrl) => {
          assert.match(settingsUrl, /\/organizations\/acme\/settings\/apps\/acme-[a-z]+#private-key$/);
          if (agent !== "rex") return undefined;
          return (newKeys[agent] = fake.newPrivateKey("acme-rex"));
        },
      },
    });
    const rex = results.find((r) => r.agent === "rex");
    assert.deepEqual(rex?.rotated, ["webhook_secret", "private_key"]);
    assert.deepEqual(results.find((r) => r.agent === "cleo")?.rotated, ["webhook_secret"]);
    const after = await readAppCredentials(store, "rex");
    assert.equal(after?.privateKey, newKeys.rex);
    assert.notEqual(after?.webhookSecret, before?.webhookSecret);
    assert.equal(fake.apps.find((a) => a.slug === "acme-rex")?.webhookSecret, after?.webhookSecret);
  });

  it("status lists apps, installations and the latest deliveries", async () => {
    await run();
    fake.install("acme-rex", "acme");
    const statuses = await githubStatus(api, store, ["rex", "cleo", "morgan"]);
    const rex = statuses.find((s) => s.agent === "rex");
    assert.equal(rex?.state, "ok");
    assert.deepEqual(
      rex?.installations.map((i) => i.account),
      ["acme"],
    );
    assert.equal(rex?.webhookUrl, fake.webhookUrl);
    // The fake pinged the app's webhook on creation; the receiver refused it (app secret ≠ platform secret).
    assert.equal(rex?.deliveries[0]?.event, "ping");
    assert.equal(rex?.deliveries[0]?.status_code, 401);
    assert.equal(statuses.find((s) => s.agent === "morgan")?.state, "missing");
    const text = renderStatus(statuses).join("\n");
    assert.match(text, /rex: acme-rex \(app \d+\)/);
    assert.match(text, /installations: acme \(all repositories\)/);
    assert.match(text, /ping {2}401/);
    assert.match(text, /morgan: no app yet \(create it with: cto github apps create --agents morgan\)/);
  });
});

describe("github webhook ping", function () {
  this.timeout(10_000);
  let fake: FakeGitHub;
  const secret = "platform-webhook-secret-0123456789";
  beforeEach(async () => (fake = await startFakeGitHub({ webhookSecret: secret })));
  afterEach(async () => fake.close());
  const target = { kind: "organization" as const, organization: "acme", repository: "platform" };

  it("signs like GitHub (HMAC-SHA256 of the raw body)", () => {
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    assert.equal(
      signatureFor("It's a Secret to Everybody", "Hello, World!"),
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });

  it("is accepted by the receiver with the right secret, and measured", async () => {
    const result = await sendPing({ url: fake.webhookUrl, secret, target });
    assert.equal(result.status, 204);
    assert.ok(result.ok);
    assert.ok(result.latencyMs > 0 && result.latencyMs < 5000);
    assert.equal(fake.received.length, 1);
    assert.equal(fake.received[0]?.event, "ping");
    assert.equal(fake.received[0]?.signatureValid, true);
    assert.equal(fake.received[0]?.delivery, result.delivery);
    assert.equal(JSON.parse(fake.received[0]?.body ?? "{}").organization.login, "acme");
  });

  it("is refused with the wrong secret", async () => {
    const result = await sendPing({ url: fake.webhookUrl, secret: "wrong-secret-wrong-secret", target });
    assert.equal(result.status, 401);
    assert.equal(result.ok, false);
    assert.equal(fake.received[0]?.signatureValid, false);
  });
});

describe("github manifest as posted", () => {
  const base: GitHubAppManifest = {
    name: "acme-rex",
    url: "https://github.com/acme",
    public: false,
    hook_attributes: { url: "https://hooks.acme.example/github", active: true },
    default_permissions: { metadata: "read" },
    default_events: ["issue_comment"],
  };
  it("points redirect_url at the local callback and keeps the webhook", () => {
    const posted = manifestToPost(base, "http://127.0.0.1:5000/callback");
    assert.equal(posted.redirect_url, "http://127.0.0.1:5000/callback");
    assert.deepEqual(posted.hook_attributes, base.hook_attributes);
  });
  it("leaves hook_attributes out without a webhook URL", () => {
    const posted = manifestToPost(
      { ...base, hook_attributes: { url: "", active: false }, default_events: [] },
      "http://x/cb",
    );
    assert.equal("hook_attributes" in posted, false);
  });
});

describe("github tunnel summary", () => {
  const plan = (tunnel: Plan["github"]["tunnel"], webhookUrl?: string): Pick<Plan, "github"> => ({
    github: { ...acmePlan("minimal").github, tunnel, webhookUrl },
  });
  it("names the public address for each relay, or what to configure", () => {
    assert.equal(
      tunnelSummary(plan({ provider: "smee", url: "https://smee.io/abc" })).publicUrl,
      "https://smee.io/abc",
    );
    assert.match(tunnelSummary(plan({ provider: "smee" })).text, /set github\.tunnel\.url/);
    assert.equal(
      tunnelSummary(plan({ provider: "ngrok", url: "https://acme.ngrok.app" })).text,
      "ngrok tunnel: GitHub delivers to https://acme.ngrok.app",
    );
    assert.match(tunnelSummary(plan({ provider: "ngrok" })).text, /reserve one and set github\.tunnel\.url/);
    assert.match(
      tunnelSummary(plan({ provider: "cloudflare" }, "https://hooks.acme.example/github")).text,
      /Cloudflare tunnel: GitHub delivers to https:\/\/hooks\.acme\.example\/github/,
    );
    assert.equal(tunnelSummary(plan({ provider: "none" })).text, "no tunnel and no public webhook URL");
  });
});

describe("github manifest flow: the local server's defences", function () {
  this.timeout(30_000);
  let fake: FakeGitHub;
  beforeEach(async () => (fake = await startFakeGitHub({ accounts: { acme: "Organization", evil: "Organization" } })));
  afterEach(async () => fake.close());

  it("answers only requests addressed to 127.0.0.1 (DNS rebinding)", async () => {
    let local = "";
    const api = new GitHubApi({ baseUrl: fake.apiUrl });
    const flow = runManifestFlow({
      api,
      webUrl: fake.url,
      owner: { kind: "organization", login: "acme" },
      manifest: manifests(fake).rex as GitHubAppManifest,
      say: (m) => (local ||= m.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1] ?? ""),
      timeoutMs: 20_000,
    });
    while (!local) await new Promise((r) => setTimeout(r, 10));
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(local, { headers: { Host: "attacker.example:80" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 421);
    await actAsBrowser(local);
    assert.equal((await flow).slug, "acme-rex");
  });

  it("refuses an app that belongs to another account and stores nothing", async () => {
    let local = "";
    const api = new GitHubApi({ baseUrl: fake.apiUrl });
    const flow = runManifestFlow({
      api,
      webUrl: fake.url,
      owner: { kind: "organization", login: "acme" },
      manifest: manifests(fake).rex as GitHubAppManifest,
      say: (m) => (local ||= m.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1] ?? ""),
    });
    const outcome = flow.then(
      () => new Error("the flow accepted the foreign app"),
      (err: unknown) => err as Error,
    );
    while (!local) await new Promise((r) => setTimeout(r, 10));
    // Someone registers their own app elsewhere and replays this run's state with their code.
    const page = await (await fetch(local)).text();
    const state =
      new URL(page.match(/action="([^"]+)"/)?.[1]?.replace(/&#38;/g, "&") ?? "").searchParams.get("state") ?? "";
    const posted = await fetch(`${fake.url}/organizations/evil/settings/apps/new?state=x`, {
      method: "POST",
      body: new URLSearchParams({
        manifest: JSON.stringify({ name: "evil-app", url: "https://x", redirect_url: `${local}callback` }),
      }),
      redirect: "manual",
    });
    const code = new URL(posted.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const callback = await fetch(`${local}callback?code=${code}&state=${encodeURIComponent(state)}`);
    assert.equal(callback.status, 409);
    assert.match(
      (await outcome).message,
      /GitHub returned app evil-app owned by evil, not acme; its credentials were not stored/,
    );
  });
});
