/**
 * Issue 21 "Tests that prove it" (e2e): GitHub's App deliveries reach the platform by one path,
 * each App's signed with that App's own secret, which the platform holds, once per delivery.
 *
 * The built `cto`, the real Pulumi engine and a kwok API server (CTO_CLUSTER_PROVIDER=simulated),
 * the fake GitHub (test/fakes/github-server.ts) as github.base_url. Pods do not run on kwok, so
 * Argo Events' EventSource and Sensors cannot receive anything here: deliveries go to a stand-in
 * receiver (test/helpers/receiver-stand-in.ts) that reads its whole configuration — endpoints,
 * secret, filters, triggers — from the objects cto stored in the API server, and creates the
 * Workflows a Sensor would with kubectl. What is compared is what cto put on GitHub (the fake) and
 * in the cluster (the API server).
 *
 * apps created before there is a webhook URL → URL added, cto up → each App's webhook is its
 * EventSource endpoint with that App's own secret, the one its endpoint's Secret holds → a delivery
 * signed as GitHub signs it is verified and runs once; the same delivery signed with another App's
 * secret, or the old shared one, is refused → a replay and GitHub's redelivery run nothing → no
 * org/repo webhook anywhere → an App from the shared-secret days gets its own secret on the next
 * cto up (preview shows it, values hidden) → GitHub's published example verifies on rex's endpoint
 * once rex's App secret is GitHub's example secret, and only there.
 */
import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import { runCto } from "../helpers/cli.js";
import { CtoProject } from "../helpers/cto-project.js";
import { runWithBrowser } from "../helpers/github-browser.js";
import type { Kubectl, KubeObject } from "../helpers/kwok.js";
import { ReceiverStandIn } from "../helpers/receiver-stand-in.js";

const CLUSTER = "gh-hooks";
const NS = "cto";
const AGENTS = ["cleo", "rex"];

interface PreviewJson {
  steps: { component: string; resource: string; type: string; op: string }[];
}

const OLD_SHARED_SECRET = "the-stack-s-old-shared-webhook-secret-0123";

interface GitHubEntry {
  webhook: { endpoint: string; url?: string; port: string; method: string };
  webhookSecret: { name: string; key: string };
  [field: string]: unknown;
}

describe("issue 21: App deliveries reach the platform once, each signed with its own App's secret", function () {
  this.timeout(1_800_000);
  let p: CtoProject;
  let fake: FakeGitHub;
  let receiver: ReceiverStandIn;
  let k: Kubectl;
  let token: string;

  const workflows = async (agent: string): Promise<KubeObject[]> =>
    (await k.json<{ items: KubeObject[] }>("get", "workflows.argoproj.io", "-n", NS, "-l", `cto.dev/agent=${agent}`))
      .items;
  /** The value of the Secret key an EventSource entry names. */
  const heldSecret = async (entry: GitHubEntry): Promise<string> => {
    const secret = await k.json<{ data: Record<string, string> }>("get", "secret", entry.webhookSecret.name, "-n", NS);
    return Buffer.from(secret.data[entry.webhookSecret.key] ?? "", "base64").toString("utf8");
  };
  /** A labelled-issue delivery to an agent's endpoint on the stand-in, signed with `secret`. */
  const postSigned = (agent: string, secret: string, number: number, delivery: string) => {
    const body = JSON.stringify({
      action: "labeled",
      label: { name: `cto:${agent}` },
      issue: { number, state: "open" },
      repository: { html_url: "https://github.com/acme/platform" },
    });
    return fetch(`${receiver.url}/github/${agent}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
  };
  const eventSource = async (): Promise<Record<string, GitHubEntry>> =>
    (
      await k.json<{ spec: { github: Record<string, GitHubEntry> } }>(
        "get",
        "eventsources.argoproj.io/cto-github",
        "-n",
        NS,
      )
    ).spec.github;

  before(async () => {
    fake = await startFakeGitHub({ autoInstall: true });
    receiver = await new ReceiverStandIn(NS).start();
    token = fake.tokenFor("octo");
    p = await CtoProject.create();
    p.env.CTO_CLUSTER_PROVIDER = "simulated";
    p.env.CTO_CHART_MIRROR = p.mirror.url;
    await writeFile(
      p.configFile,
      YAML.stringify({
        version: "0.1.0",
        profile: "minimal",
        platform: { name: CLUSTER, namespace: NS },
        github: { organization: "acme", repository: "platform", base_url: fake.apiUrl },
        registry: { type: "local" },
        agents: Object.fromEntries(AGENTS.map((a) => [a, {}])),
        features: { monitoring: false, databases: false },
      }),
    );
  });
  after(async () => {
    if (p) await p.teardown();
    await fake?.close();
    await receiver?.close();
  });
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("cto github apps create before there is a webhook URL: the Apps have none yet", async () => {
    const r = await runWithBrowser(["github", "apps", "create", "--agents", AGENTS.join(","), "--no-browser"], {
      cwd: p.sandbox.cwd,
      env: { ...p.env, GITHUB_TOKEN: token },
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.browsed, AGENTS.length);
    for (const agent of AGENTS) assert.equal(fake.app(`acme-${agent}`).hookUrl, "", `acme-${agent} has no URL yet`);
    const secrets = AGENTS.map((a) => fake.app(`acme-${a}`).webhookSecret);
    assert.ok(
      secrets.every((v) => v.length >= 32),
      "each App has a webhook secret",
    );
    assert.equal(new Set(secrets).size, AGENTS.length, "each App its own");
  });

  it("with the webhook URL added, cto up sets each App's URL (issue 21 cli: an App created without a URL gets it)", async () => {
    await p.editConfig((doc) => doc.setIn(["github", "webhook_url"], `${receiver.url}/github`));
    await p.ok("up", "--yes");
    k = p.kubectl(CLUSTER);
    await receiver.load(k);
    for (const agent of AGENTS) assert.equal(fake.app(`acme-${agent}`).hookUrl, `${receiver.url}/github/${agent}`);
  });

  it("each App's webhook on GitHub is its agent's EventSource endpoint, with its own secret, the one that endpoint checks", async () => {
    const entries = await eventSource();
    assert.deepEqual(Object.keys(entries).sort(), AGENTS);
    for (const agent of AGENTS) {
      const entry = entries[agent]!;
      const app = fake.app(`acme-${agent}`);
      assert.equal(`${entry.webhook.url ?? ""}${entry.webhook.endpoint}`, app.hookUrl, `${agent}: URL + path`);
      assert.deepEqual(entry.webhookSecret, { name: `cto-github-app-${agent}`, key: "webhook-secret" }, agent);
      const held = await heldSecret(entry);
      assert.ok(held.length >= 32, `${agent}: the platform holds a secret`);
      assert.equal(app.webhookSecret, held, `${agent}: GitHub signs with the secret its endpoint names`);
      assert.equal(app.hookContentType, "json");
      assert.equal(app.hookActive, true);
    }
    const held = await Promise.all(AGENTS.map(async (a) => heldSecret(entries[a]!)));
    assert.equal(new Set(held).size, AGENTS.length, "each endpoint checks a different secret");
    const shared = await k.json<{ items: unknown[] }>(
      "get",
      "secrets",
      "-n",
      NS,
      "--field-selector",
      "metadata.name=cto-github-webhook",
    );
    assert.deepEqual(shared.items, [], "no shared webhook Secret");
  });

  it("each event has one way in: no org or repository webhook, and no hook Argo Events could create", async () => {
    const hookCalls = fake.requests.filter((q) => /\/(orgs|repos)\/[^/]+(\/[^/]+)?\/hooks/.test(q.url));
    assert.deepEqual(hookCalls, [], "cto never asked GitHub for an org or repository webhook");
    const entries = await eventSource();
    for (const [agent, entry] of Object.entries(entries)) {
      // Argo Events registers hooks itself only with an apiToken or githubApp credentials.
      assert.equal(entry.apiToken, undefined, agent);
      assert.equal(entry.githubApp, undefined, agent);
    }
    const paths = Object.values(entries).map((e) => e.webhook.endpoint);
    assert.equal(new Set(paths).size, paths.length, "one endpoint per agent");
    const urls = AGENTS.map((a) => fake.app(`acme-${a}`).hookUrl);
    assert.equal(new Set(urls).size, urls.length, "each App its own URL");
    const state = path.join(p.home, "state", ".pulumi", "stacks", CLUSTER, "dev.json");
    assert.ok(existsSync(state), state);
    const types = (
      JSON.parse(await readFile(state, "utf8")) as { checkpoint: { latest: { resources: { type: string }[] } } }
    ).checkpoint.latest.resources.map((r) => r.type);
    assert.ok(
      !types.some((t) => t.startsWith("github:")),
      `no GitHub provider resource in the state: ${types.join(", ")}`,
    );
    assert.equal(
      types.filter((t) => t.endsWith("AppWebhookConfig")).length,
      AGENTS.length,
      "one App webhook config per agent, set as the App",
    );
  });

  it("a delivery signed as GitHub signs it (that App's secret, raw bytes) is verified and runs its agent once", async () => {
    const sent = await fake.deliver(
      "acme-rex",
      "issues",
      {
        action: "labeled",
        label: { name: "cto:rex" },
        issue: { number: 7, state: "open", title: "Fix the build — café ☕" },
        repository: { html_url: "https://github.com/acme/platform" },
      },
      { installationId: fake.app("acme-rex").installations[0]?.id, repositoryId: 42 },
    );
    assert.ok(sent, "the fake delivered to the App's URL");
    assert.equal(sent.status_code, 200, "the receiver answered 2xx");
    await receiver.settled();
    const got = receiver.deliveries.find((d) => d.delivery === sent.guid);
    assert.ok(got?.verified, "signature verified with the secret the platform holds");
    assert.deepEqual(
      got.workflows.map((w) => [w.sensor, w.name, w.outcome]),
      [["cto-rex", `github-${sent.guid}`, "created"]],
    );
    const runs = await workflows("rex");
    assert.equal(runs.length, 1);
    const params = (runs[0] as unknown as { spec: { arguments: { parameters: { name: string; value: string }[] } } })
      .spec.arguments.parameters;
    assert.equal(params.find((x) => x.name === "number")?.value, "7");
    assert.equal(params.find((x) => x.name === "event")?.value, "labelled");
    assert.deepEqual(await workflows("cleo"), [], "cleo's Sensor does not react to rex's label");
  });

  it("the same delivery signed with another App's secret, or the old shared secret, is refused and runs nothing", async () => {
    const rex = fake.app("acme-rex").webhookSecret;
    const cleo = fake.app("acme-cleo").webhookSecret;
    const cases: [string, string, string][] = [
      ["rex", cleo, "cleo's secret on rex's endpoint"],
      ["cleo", rex, "rex's secret on cleo's endpoint"],
      ["rex", OLD_SHARED_SECRET, "the old shared secret"],
    ];
    for (const [i, [agent, secret, what]] of cases.entries()) {
      const res = await postSigned(agent, secret, 20 + i, `0f6c1d7e-0000-4000-8000-00000000002${i}`);
      assert.equal(res.status, 400, what);
      assert.equal(receiver.deliveries.at(-1)?.verified, false, what);
    }
    // Signed with that App's own secret, the very same delivery is accepted.
    const ok = await postSigned("cleo", cleo, 23, "0f6c1d7e-0000-4000-8000-000000000023");
    assert.equal(ok.status, 200);
    await receiver.settled();
    assert.equal((await workflows("rex")).length, 1, "rex: only the delivery of the test above");
    assert.equal(
      (await workflows("cleo")).length,
      0,
      "cleo's Sensor does not react to a cto:cleo label: its role has no issues",
    );
  });

  it("a delivery whose signature is not the platform's secret is refused and runs nothing", async () => {
    const body = JSON.stringify({ action: "labeled", label: { name: "cto:rex" }, issue: { number: 8, state: "open" } });
    const res = await fetch(`${receiver.url}/github/rex`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": "0f6c1d7e-0000-4000-8000-000000000008",
        "X-Hub-Signature-256": `sha256=${"0".repeat(64)}`,
      },
      body,
    });
    assert.equal(res.status, 400);
    await receiver.settled();
    assert.equal((await workflows("rex")).length, 1);
  });

  it("the same delivery replayed, and GitHub's redelivery of it (same X-GitHub-Delivery), run nothing", async () => {
    const first = fake.app("acme-rex").deliveries.find((d) => d.event === "issues");
    assert.ok(first);
    // A replay: the very bytes and headers GitHub sent, posted again.
    const replay = await fetch(fake.app("acme-rex").hookUrl, {
      method: "POST",
      headers: first.request.headers,
      body: first.request.payload,
    });
    assert.equal(replay.status, 200, "acknowledged (a valid signature)");
    // GitHub's redelivery, asked for with cto.
    const again = await p.ok("github", "redeliver", "--agent", "rex", "--delivery", String(first.id));
    assert.match(again.stdout, /asked GitHub to send delivery \d+ again/);
    await receiver.settled();
    const repeats = receiver.deliveries.filter((d) => d.delivery === first.guid);
    assert.equal(repeats.length, 3, "delivered, replayed, redelivered");
    for (const d of repeats.slice(1)) {
      assert.equal(d.verified, true);
      assert.deepEqual(
        d.workflows.map((w) => w.outcome),
        ["already exists"],
      );
    }
    assert.equal((await workflows("rex")).length, 1, "still one run");
  });

  it("an App from the shared-secret days gets its own secret on the next cto up; preview shows it without values", async () => {
    // What an earlier version left: cleo's App signing with the stack's one shared secret, no
    // secret of its own stored.
    const rm = await p.ok("secrets", "rm", "--env", "dev", "github.apps.cleo.webhook_secret");
    assert.match(rm.stdout + rm.stderr, /github\.apps\.cleo\.webhook_secret/);
    fake.app("acme-cleo").webhookSecret = OLD_SHARED_SECRET;
    const preview = await p.ok("preview", "--json");
    const changed = (JSON.parse(preview.stdout) as PreviewJson).steps.filter((s) => s.op !== "same");
    const ops = changed.map((s) => `${s.op} ${s.type} ${s.resource}`);
    assert.ok(
      ops.some((o) => /^create .*GeneratedSecret .*webhook-secret-cleo/.test(o)),
      `a secret is generated for cleo: ${ops.join("; ")}`,
    );
    assert.ok(
      ops.some((o) => /^update .*AppWebhookConfig .*app-webhook-cleo/.test(o)),
      `cleo's App webhook is updated: ${ops.join("; ")}`,
    );
    assert.ok(!ops.some((o) => /rex/.test(o)), `nothing of rex changes: ${ops.join("; ")}`);
    assert.ok(!preview.stdout.includes(fake.app("acme-rex").webhookSecret), "no secret value in the preview");
    await p.ok("up", "--yes");
    await receiver.load(k);
    const generated = receiver.secretOf("/github/cleo");
    assert.ok(generated && generated.length >= 32 && generated !== OLD_SHARED_SECRET);
    assert.equal(fake.app("acme-cleo").webhookSecret, generated, "GitHub now signs cleo's deliveries with it");
    assert.notEqual(generated, receiver.secretOf("/github/rex"));
    // test-webhook finds it in the stack (it is not a stored credential) and signs with it.
    const ping = await p.ok("github", "test-webhook", "--env", "dev", "--app", "cleo");
    assert.match(ping.stdout, /^cleo: ping → .*\/github\/cleo: 200 in .*signed with the secret cto up generated\)$/m);
    assert.equal(receiver.deliveries.at(-1)?.verified, true);
    assert.ok(!ping.stdout.includes(generated) && !ping.stderr.includes(generated));
  });

  it("GitHub's published example verifies once rex's App secret is GitHub's example secret, and only on rex's endpoint", async () => {
    const set = await runCto(["secrets", "set", "github.apps.rex.webhook_secret"], {
      cwd: p.sandbox.cwd,
      env: p.env,
      input: "It's a Secret to Everybody\n",
    });
    assert.equal(set.code, 0, set.stderr);
    await p.ok("up", "--yes");
    await receiver.load(k);
    assert.equal(fake.app("acme-rex").webhookSecret, "It's a Secret to Everybody");
    assert.equal(receiver.secretOf("/github/rex"), "It's a Secret to Everybody");
    assert.notEqual(fake.app("acme-cleo").webhookSecret, "It's a Secret to Everybody", "cleo keeps its own");
    assert.equal(fake.app("acme-cleo").webhookSecret, receiver.secretOf("/github/cleo"));
    // https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    const post = (agent: string, payload: string) =>
      fetch(`${receiver.url}/github/${agent}`, {
        method: "POST",
        headers: {
          "X-GitHub-Event": "ping",
          "X-GitHub-Delivery": "5a2f4c6e-0000-4000-8000-00000000000a",
          "X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        },
        body: payload,
      });
    const ok = await post("rex", "Hello, World!");
    assert.equal(receiver.deliveries.at(-1)?.verified, true, "the published signature verifies");
    // It is not JSON, so the receiver drops it after verifying, as Argo Events' EventSource does.
    assert.equal(ok.status, 400);
    assert.match(await ok.text(), /not JSON/);
    await post("rex", "Hello, World?");
    assert.equal(receiver.deliveries.at(-1)?.verified, false, "one changed byte does not");
    await post("cleo", "Hello, World!");
    assert.equal(receiver.deliveries.at(-1)?.verified, false, "cleo's endpoint checks cleo's secret");
  });
});
