import { strict as assert } from "node:assert";
import { UserError } from "../../config/errors.js";
import { GitHubApi } from "../../stacks/github/api.js";
import { createAgentApps, detectOwner } from "../../stacks/github/apps.js";
import { readAppCredentials } from "../../stacks/github/credentials.js";
import { manifestToPost, runManifestFlow } from "../../stacks/github/manifest-flow.js";
import { AppSession } from "../../stacks/github/app-auth.js";
import { githubStatus, renderStatus } from "../../stacks/github/status.js";
import { newAppUrl } from "../../stacks/github/urls.js";
import { sendPing, signatureFor, verifySignature } from "../../stacks/github/webhook-ping.js";
import { renderPlatform } from "../../templates/index.js";
import type { GitHubAppManifest } from "../../templates/rendered.js";
import { acmePlan } from "../golden/acme-plans.js";
import type { Plan } from "../../profiles/plan.js";
import { tunnelSummary } from "../../stacks/github/tunnel-status.js";
import { actAsBrowser, startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import { MemorySecretsStore } from "../fakes/memory-secrets.js";

const PLATFORM_SECRET = "platform-webhook-secret-0123456789";

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
    assert.equal(registered?.hookUrl, `${fake.webhookUrl}/rex`, "each App delivers to its agent's URL");
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

  it("never retries the single-use conversion: a lost answer is reported with how to recover the App", async () => {
    fake.loseConversionAnswers = 1;
    api = new GitHubApi({ baseUrl: fake.apiUrl, sleep: async () => undefined, timeoutMs: 500 });
    await assert.rejects(
      runManifestFlow({
        api,
        webUrl: fake.url,
        owner: { kind: "organization", login: "acme" },
        manifest: manifests(fake).rex as GitHubAppManifest,
        agent: "rex",
        say: (m) => {
          const local = m.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
          if (local) void actAsBrowser(local).catch(() => undefined);
        },
      }),
      (err: Error) => {
        assert.ok(err instanceof UserError);
        assert.match(
          err.message,
          /no answer from GitHub to POST \/app-manifests\/<code>\/conversions for acme-rex \(timed out\)/,
        );
        assert.match(err.message, /the code works only once, so cto does not send it again/);
        assert.match(
          err.hint ?? "",
          /\/organizations\/acme\/settings\/apps\/acme-rex: if the App is there, generate a private key/,
        );
        assert.match(err.hint ?? "", /cto github apps create --agents rex --rotate-keys --key-file rex=/);
        return true;
      },
    );
    assert.equal(fake.requests.filter((r) => r.url.includes("/conversions")).length, 1, "sent exactly once");
    assert.equal(fake.apps.length, 1, "the App exists on GitHub");
  });

  it("does not retry the conversion after a 5xx either", async () => {
    const waits: string[] = [];
    api = new GitHubApi({ baseUrl: fake.apiUrl, onWait: (m) => waits.push(m), sleep: async () => undefined });
    const original = globalThis.fetch;
    const failing: typeof fetch = async (input, init) => {
      if (String(input).includes("/conversions")) {
        await original(input, init); // GitHub carried it out...
        return new Response("{}", { status: 502 }); // ...but the answer cto gets is a 502.
      }
      return original(input, init);
    };
    api = new GitHubApi({
      baseUrl: fake.apiUrl,
      fetch: failing,
      onWait: (m) => waits.push(m),
      sleep: async () => undefined,
    });
    await assert.rejects(
      flowWithBrowser(fake, api, manifests(fake).rex as GitHubAppManifest, []),
      /\(GitHub answered 502\); the code works only once/,
    );
    assert.equal(fake.requests.filter((r) => r.url.includes("/conversions")).length, 1);
    assert.deepEqual(waits, []);
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
  let token: string;
  const run = (extra: Partial<Parameters<typeof createAgentApps>[0]> = {}, said: string[] = []) =>
    createAgentApps({
      api,
      webUrl: fake.url,
      owner: { kind: "organization", login: "acme" },
      manifests: manifests(fake),
      store,
      token,
      webhook: { urlFor: (agent) => `${fake.webhookUrl}/${agent}` },
      runFlow: (_agent, manifest) => flowWithBrowser(fake, api, manifest, said),
      say: (m) => said.push(m),
      sleep: async () => undefined,
      ...extra,
    });

  beforeEach(async () => {
    fake = await startFakeGitHub({ webhookSecret: PLATFORM_SECRET });
    api = new GitHubApi({ baseUrl: fake.apiUrl, sleep: async () => undefined });
    store = new MemorySecretsStore();
    token = fake.tokenFor("octo");
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
      assert.equal(creds?.slug, app.slug);
      // The App's own secret from the conversion is kept, and set on GitHub with the agent's URL
      // (PATCH /app/hook/config) right after creation.
      assert.ok((creds?.webhookSecret ?? "").length >= 20, `${agent}: its own webhook secret is stored`);
      assert.equal(app.hookUrl, `${fake.webhookUrl}/${agent}`);
      assert.equal(app.webhookSecret, creds?.webhookSecret, `${agent}: GitHub signs with the stored secret`);
    }
    const own = await Promise.all(
      ["cleo", "rex", "tess"].map(async (a) => (await readAppCredentials(store, a))?.webhookSecret),
    );
    assert.equal(new Set(own).size, 3, "each App its own secret");
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

  it("needs the user's token to look for a leftover private App, and creates nothing without it", async () => {
    await assert.rejects(run({ token: undefined }), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /cto needs your GitHub token to check that no App named acme-[a-z]+ exists yet/);
      assert.match(err.message, /GitHub answers 404 to anonymous lookups of private Apps/);
      return true;
    });
    assert.equal(fake.apps.length, 0);
    // The fake, like GitHub, hides a private App from anonymous lookups and shows it to a member.
    fake.addApp("acme-rex", "acme");
    assert.equal((await fetch(`${fake.apiUrl}/apps/acme-rex`)).status, 404);
    const seen = await fetch(`${fake.apiUrl}/apps/acme-rex`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(seen.status, 200);
  });

  it("finds a private leftover App with the token and refuses to go on", async () => {
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
    const lookup = fake.requests.find((r) => r.url.endsWith("/apps/acme-rex"));
    assert.equal(lookup?.authorization, `Bearer ${token}`, "looked up with the user's token");
  });

  it("recovers a leftover App from a key generated on its settings page (--rotate-keys --key-file)", async () => {
    const leftover = fake.addApp("acme-rex", "acme");
    const pem = fake.newPrivateKey("acme-rex");
    const said: string[] = [];
    const results = await run(
      {
        manifests: { rex: manifests(fake).rex as GitHubAppManifest },
        adoptKey: async (a) => (a === "rex" ? pem : undefined),
      },
      said,
    );
    assert.deepEqual(
      results.map((r) => [r.agent, r.outcome, r.appId]),
      [["rex", "recovered", String(leftover.id)]],
    );
    const creds = await readAppCredentials(store, "rex");
    assert.equal(creds?.privateKey, pem);
    assert.equal(creds?.clientId, leftover.clientId);
    assert.equal(leftover.hookUrl, `${fake.webhookUrl}/rex`);
    assert.ok(creds?.webhookSecret, "a recovered App gets its own webhook secret");
    assert.equal(leftover.webhookSecret, creds?.webhookSecret);
    assert.match(
      said.join("\n"),
      /client secret cannot be recovered: generate one at .* cto secrets set github\.apps\.rex\.client_secret/,
    );
    // A key that is not that App's is refused, and nothing is stored.
    fake.addApp("acme-cleo", "acme");
    await assert.rejects(
      run({ manifests: { cleo: manifests(fake).cleo as GitHubAppManifest }, adoptKey: async () => pem }),
      /cleo: GitHub does not accept the given key for App acme-cleo/,
    );
    assert.equal(await readAppCredentials(store, "cleo"), undefined);
  });

  it("names stored credentials that GitHub refuses", async () => {
    await run();
    fake.apps.splice(
      fake.apps.findIndex((a) => a.slug === "acme-tess"),
      1,
    );
    await assert.rejects(run(), /tess: GitHub refuses its stored credentials \(app \d+, 404: Integration not found\)/);
  });

  it("status: stored credentials naming an App GitHub does not know (404) or a key it refuses (401) come with the fix", async () => {
    await run();
    const tess = fake.app("acme-tess");
    fake.apps.splice(fake.apps.indexOf(tess), 1);
    const cleo = fake.app("acme-cleo");
    cleo.publicKeyPem = fake.app("acme-rex").publicKeyPem;
    const statuses = await githubStatus(api, store, ["tess", "cleo"]);
    assert.deepEqual(
      statuses.map((s) => s.state),
      ["refused", "refused"],
    );
    const text = renderStatus(statuses, "dev").join("\n");
    assert.ok(text.includes(`tess: app ${tess.id}: GitHub answered 404 to GET /app (Integration not found)`), text);
    assert.ok(
      text.includes(
        `  fix: no GitHub App has id ${tess.id} (it was deleted, or the stored id is not its id): forget the stored credentials with cto secrets rm --env dev 'github.apps.tess.*', then cto github apps create --env dev --agents tess`,
      ),
      text,
    );
    assert.ok(
      text.includes(`cleo: app ${cleo.id}: GitHub answered 401 to GET /app (A JSON web token could not be decoded)`),
      text,
    );
    assert.match(
      text,
      /fix: App \d+ does not accept the stored private key \(revoked\?\): store a key .* github\.apps\.cleo\.private_key < key\.pem/,
    );
  });

  it("--rotate-keys: a new webhook secret for each selected App, and a new private key of kept apps", async () => {
    await run();
    const before = Object.fromEntries(
      await Promise.all(
        ["cleo", "rex", "tess"].map(async (a) => [a, (await readAppCredentials(store, a))?.webhookSecret]),
      ),
    );
    const newKeys: Record<string, string> = {};
    const said: string[] = [];
    const results = await run(
      {
        manifests: { cleo: manifests(fake).cleo as GitHubAppManifest, rex: manifests(fake).rex as GitHubAppManifest },
        rotateKeys: {
          newPrivateKey: async (agent, settingsUrl) => {
            assert.match(settingsUrl, /\/organizations\/acme\/settings\/apps\/acme-[a-z]+#private-key$/);
            if (agent !== "rex") return undefined;
            return (newKeys[agent] = fake.newPrivateKey("acme-rex"));
          },
        },
      },
      said,
    );
    const rex = results.find((r) => r.agent === "rex");
    assert.deepEqual(rex?.rotated, ["webhook_secret", "private_key"]);
    assert.deepEqual(results.find((r) => r.agent === "cleo")?.rotated, ["webhook_secret"]);
    const after = await readAppCredentials(store, "rex");
    assert.equal(after?.privateKey, newKeys.rex);
    for (const agent of ["cleo", "rex"]) {
      const stored = (await readAppCredentials(store, agent))?.webhookSecret;
      assert.notEqual(stored, before[agent], `${agent}: rotated`);
      assert.equal(fake.app(`acme-${agent}`).webhookSecret, stored, `${agent}: GitHub has the new one`);
    }
    const tess = (await readAppCredentials(store, "tess"))?.webhookSecret;
    assert.equal(tess, before.tess, "tess was not selected: kept");
    assert.equal(fake.app("acme-tess").webhookSecret, tess);
    assert.match(
      said.join("\n"),
      /rex: new webhook secret generated and stored encrypted as github\.apps\.rex\.webhook_secret/,
    );
    assert.match(said.join("\n"), /run cto up so the platform verifies with it/);
  });

  it("an App stored by an earlier version (no webhook secret of its own) gets one on the next run", async () => {
    await run({ manifests: { rex: manifests(fake).rex as GitHubAppManifest } });
    await store.remove("github.apps.rex.webhook_secret");
    fake.app("acme-rex").webhookSecret = "the-old-shared-secret-0123456789";
    const results = await run({ manifests: { rex: manifests(fake).rex as GitHubAppManifest } });
    assert.equal(results[0]?.outcome, "kept");
    const stored = (await readAppCredentials(store, "rex"))?.webhookSecret;
    assert.ok(stored && stored !== "the-old-shared-secret-0123456789");
    assert.equal(fake.app("acme-rex").webhookSecret, stored);
    // A further run changes nothing.
    await run({ manifests: { rex: manifests(fake).rex as GitHubAppManifest } });
    assert.equal((await readAppCredentials(store, "rex"))?.webhookSecret, stored);
  });

  it("an App without a stored secret adopts the one cto up already gave the platform", async () => {
    await run({ manifests: { rex: manifests(fake).rex as GitHubAppManifest } });
    await store.remove("github.apps.rex.webhook_secret");
    const held = "generated-by-cto-up-0123456789abcdef0123";
    const asked: string[] = [];
    const said: string[] = [];
    const results = await run(
      {
        manifests: { rex: manifests(fake).rex as GitHubAppManifest },
        platformSecret: async (agent) => (asked.push(agent), agent === "rex" ? held : undefined),
      },
      said,
    );
    assert.deepEqual(asked, ["rex"]);
    assert.deepEqual(results[0]?.rotated, []);
    assert.equal((await readAppCredentials(store, "rex"))?.webhookSecret, held);
    assert.equal(fake.app("acme-rex").webhookSecret, held);
    assert.doesNotMatch(said.join("\n"), /run cto up/, "the platform already has it");
    assert.ok(!said.join("\n").includes(held));
  });

  it("an App created without a webhook URL gets none, then its URL on a later run", async () => {
    const noUrl = manifests(fake);
    for (const m of Object.values(noUrl)) m.hook_attributes = { url: "", active: false };
    await run({ manifests: noUrl, webhook: { urlFor: () => undefined } });
    assert.ok(fake.apps.every((a) => a.hookUrl === ""));
    for (const app of fake.apps) {
      const stored = (await readAppCredentials(store, app.slug.replace("acme-", "")))?.webhookSecret;
      assert.ok(stored, `${app.slug}: a secret is stored even without a URL`);
      assert.equal(app.webhookSecret, stored);
    }
    assert.deepEqual(fake.apps.find((a) => a.slug === "acme-tess")?.events, ["pull_request", "workflow_run"]);
    const later = await run();
    assert.ok(later.every((r) => r.webhookUrl === `${fake.webhookUrl}/${r.agent}`));
    assert.ok(fake.apps.every((a) => a.hookUrl === `${fake.webhookUrl}/${a.slug.replace("acme-", "")}`));
  });

  it("status lists apps, installations and the latest deliveries", async () => {
    await run();
    fake.install("acme-rex", "acme");
    const statuses = await githubStatus(api, store, ["rex", "cleo", "morgan"], {
      expectedUrl: (agent) => `${fake.webhookUrl}/${agent}`,
    });
    const rex = statuses.find((s) => s.agent === "rex");
    assert.equal(rex?.state, "ok");
    assert.deepEqual(
      rex?.installations.map((i) => i.account),
      ["acme"],
    );
    assert.equal(rex?.webhookUrl, `${fake.webhookUrl}/rex`);
    assert.deepEqual(rex?.problems, []);
    // GitHub pinged on creation, signed with the App's own secret, before cto up gave the platform
    // that secret: refused.
    assert.equal(rex?.deliveries[0]?.event, "ping");
    assert.equal(rex?.deliveries[0]?.status_code, 401);
    assert.equal(rex?.deliveries[0]?.failed, true);
    assert.equal(statuses.find((s) => s.agent === "morgan")?.state, "missing");
    const text = renderStatus(statuses, "dev").join("\n");
    assert.match(text, /rex: acme-rex \(app \d+\)/);
    assert.match(text, /installations: acme \(all repositories\)/);
    assert.match(text, /✗ \S+ {2}ping {2}401/);
    assert.match(
      text,
      /1 failed delivery; once the endpoint is fixed, ask GitHub to send again: cto github redeliver --env dev --agent rex --delivery \d+/,
    );
    assert.match(text, /morgan: no app yet \(create it with: cto github apps create --agents morgan\)/);

    // Redelivered once the platform's endpoint holds the App's own secret (as after cto up): accepted.
    fake.receiverSecrets.set("rex", (await readAppCredentials(store, "rex"))?.webhookSecret as string);
    const session = new AppSession(api, String(fake.app("acme-rex").id), fake.app("acme-rex").pem);
    await session.redeliver(rex?.deliveries[0]?.id as number);
    const again = await githubStatus(api, store, ["rex"]);
    assert.equal(again[0]?.deliveries[0]?.redelivery, true);
    assert.equal(again[0]?.deliveries[0]?.failed, false);

    // A hook pointing elsewhere is reported as an error.
    fake.app("acme-cleo").hookUrl = "https://elsewhere.example/hook";
    const moved = await githubStatus(api, store, ["cleo"], { expectedUrl: (agent) => `${fake.webhookUrl}/${agent}` });
    assert.match(
      moved[0]?.problems[0] ?? "",
      /goes to https:\/\/elsewhere\.example\/hook, not .*\/hooks\/platform\/cleo: run cto up/,
    );
  });

  it("status reads more than 100 deliveries through GitHub's cursor pages", async () => {
    await run({ manifests: { rex: manifests(fake).rex as GitHubAppManifest } });
    for (let i = 0; i < 130; i++) await fake.deliver("acme-rex", "issues", { action: "opened", n: i });
    const [rex] = await githubStatus(api, store, ["rex"], { deliveries: 120 });
    assert.equal(rex?.deliveries.length, 120);
    assert.equal(new Set(rex?.deliveries.map((d) => d.id)).size, 120, "no delivery twice");
    const pages = fake.requests.filter((r) => r.url.startsWith("/api/v3/app/hook/deliveries"));
    assert.equal(pages.length, 2);
    assert.match(pages[0]?.url ?? "", /per_page=100/);
    assert.match(pages[1]?.url ?? "", /per_page=20&cursor=\d+/);
  });
});

describe("github webhook ping", function () {
  this.timeout(10_000);
  let fake: FakeGitHub;
  const secret = "platform-webhook-secret-0123456789";
  beforeEach(async () => (fake = await startFakeGitHub({ webhookSecret: secret })));
  afterEach(async () => fake.close());
  const app = { id: 1234, events: ["issues"] };

  it("signs like GitHub (HMAC-SHA256 of the raw body)", () => {
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    assert.equal(
      signatureFor("It's a Secret to Everybody", "Hello, World!"),
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });

  it("verifies GitHub's published example and refuses anything else, over the raw bytes", () => {
    const secretDoc = "It's a Secret to Everybody";
    const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert.equal(verifySignature(secretDoc, Buffer.from("Hello, World!"), sig), true);
    assert.equal(verifySignature(secretDoc, Buffer.from("Hello, World!\n"), sig), false);
    assert.equal(verifySignature("another secret", Buffer.from("Hello, World!"), sig), false);
    assert.equal(verifySignature(secretDoc, Buffer.from("Hello, World!"), undefined), false);
    assert.equal(verifySignature(secretDoc, Buffer.from("Hello, World!"), sig.slice(0, -1)), false);
  });

  it("is accepted by the receiver with the right secret, and measured", async () => {
    const result = await sendPing({ url: `${fake.webhookUrl}/rex`, secret, app });
    assert.equal(result.status, 204);
    assert.ok(result.ok);
    assert.ok(result.latencyMs > 0 && result.latencyMs < 5000);
    assert.equal(fake.received.length, 1);
    assert.equal(fake.received[0]?.event, "ping");
    assert.equal(fake.received[0]?.signatureValid, true);
    assert.equal(fake.received[0]?.delivery, result.delivery);
    const body = JSON.parse(fake.received[0]?.body ?? "{}") as { hook: { type: string; app_id: number } };
    assert.deepEqual([body.hook.type, body.hook.app_id], ["App", 1234]);
    assert.equal(fake.received[0]?.path, "/rex");
    assert.equal(fake.received[0]?.headers["x-github-hook-installation-target-type"], "integration");
  });

  it("is refused with the wrong secret", async () => {
    const result = await sendPing({ url: fake.webhookUrl, secret: "wrong-secret-wrong-secret", app });
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
