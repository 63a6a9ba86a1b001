/**
 * Issue 18 ("every example in --help works"): the `--help` examples that need a cluster or GitHub
 * (NEEDS_CLUSTER_OR_GITHUB in test/helpers/help-examples.ts: doctor, preview, up, upgrade,
 * rollback, refresh, destroy, task run, backup, github apps create, github redeliver and
 * `pulumi -- preview`) run as a user copies them and exit 0, each with its effect checked. The
 * cli tier (test/cli/help-examples.test.ts) runs every other example and checks these only get
 * past validation, for want of a cluster and GitHub; here they have both.
 *
 * Where: the directory `cto init --yes --org acme --repo platform` (the first example of `cto
 * --help`) wrote, with the prod block init writes as a comment uncommented, as the help says for
 * the `--env prod` examples. What a user of this machine would change, and nothing else: both
 * environments run on a simulated cluster (`cluster.provider: simulated`: the real engine and a
 * real Kubernetes API server with kwok's nodes; prod in its own, named acme-platform-prod, where
 * the block names an existing cluster's context), the third-party charts come from the stand-in
 * chart mirror (CTO_CHART_MIRROR), GitHub is the fake (test/fakes/github-server.ts as
 * `github.base_url`, GITHUB_TOKEN one of its tokens) and `github.webhook_url` is the fake's
 * platform endpoint.
 *
 * The order is a user's: the Apps first (before any cto up, so every update carries them), doctor
 * and preview before anything is installed, then dev (up, a task, upgrade, the plain Pulumi CLI,
 * refresh, rollback, the standard profile last as the heaviest change, destroy), then prod
 * (installed with cto up, then its task, upgrade, backups, rollback to update 3, destroy). Setup
 * steps that are not examples say so.
 *
 * What cannot happen on a simulated cluster, because no container runs there, and what stands in:
 * - `task run`: no controller picks the task up; cto does not wait on a simulated cluster and says
 *   so. Checked: the CodeRun is in the API server with the task's fields.
 * - `backup create --wait` / `backup restore`: no Velero runs, so nothing would ever set the
 *   Backup's or Restore's phase. The test plays Velero's part (test/helpers/velero-stand-in.ts):
 *   it marks each Backup and Restore cto created Completed. Checked: the objects, accepted by the
 *   API server against Velero's CRDs (the official ones when ../shared/charts-data is there), hold
 *   what the example asked for, and cto follows them to the outcome.
 * - `github redeliver`: the platform's receiver (Argo Events) does not run either; the fake's
 *   platform endpoint refuses every delivery (it holds no secret), as a platform that is down
 *   would, which is what redeliver is for. Delivery 12345 (the example's id, which a user reads
 *   from `cto github status --json`) is one of those failed deliveries.
 */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { loadCatalog } from "../../profiles/load.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import type { CtoResult } from "../helpers/cli.js";
import { CtoProject, helmReleases } from "../helpers/cto-project.js";
import { runWithBrowser } from "../helpers/github-browser.js";
import {
  afterCto,
  argsOf,
  examplesIn,
  NEEDS_CLUSTER_OR_GITHUB,
  splitPipe,
  uncommentProd,
} from "../helpers/help-examples.js";
import { eventually, type Kubectl, type KubeObject } from "../helpers/kwok.js";
import { VeleroStandIn } from "../helpers/velero-stand-in.js";

/** Simulated clusters take the platform's name (init: acme-platform) unless cto.yaml names one. */
const DEV_CLUSTER = "acme-platform";
const PROD_CLUSTER = "acme-platform-prod";
/**
 * Rex's model in the setup updates the rollbacks go back from: dev's second update (MODELS[0]),
 * prod's updates 2, 3 and 4 (for `rollback --env prod --to 3`). A model is a cheap change: one
 * ConfigMap and the controller's rollout.
 */
const MODELS = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"];

interface PreviewJson {
  steps: { component: string; resource: string; type: string; op: string }[];
}
interface HistoryJson {
  updates: { n: number; operation: string; status: string; rollbackOf?: number; profile: string }[];
}

describe("every --help example that needs a cluster or GitHub runs (simulated cluster, fake GitHub)", function () {
  this.timeout(3_600_000);
  let p: CtoProject;
  let fake: FakeGitHub;
  let latest = "";
  /** The examples of `cto --help` that need a cluster or GitHub, as shown. */
  let examples: string[] = [];
  const ran = new Set<string>();

  /** Runs one example as `cto --help` shows it and asserts exit 0 and no bug report. */
  const example = async (line: string, run?: (args: string[]) => Promise<CtoResult>): Promise<CtoResult> => {
    assert.ok(examples.includes(line), `cto --help shows: ${line}`);
    const args = argsOf(splitPipe(line).command);
    const r = run ? await run(args) : await p.cto(args);
    if (run) p.log.push({ args, result: r });
    const said = `${line} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    assert.doesNotMatch(r.stderr, /this is a bug in cto/, said);
    assert.equal(r.code, 0, said);
    ran.add(line);
    return r;
  };
  const yaml = async (): Promise<YAML.Document> => YAML.parseDocument(await readFile(p.configFile, "utf8"));
  const history = async (env: string): Promise<HistoryJson["updates"]> =>
    (JSON.parse((await p.ok("history", "--env", env, "--json")).stdout) as HistoryJson).updates;
  const jsonLines = (stdout: string): { kind: string; [k: string]: unknown }[] =>
    stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { kind: string });
  const revisions = async (k: Kubectl): Promise<Record<string, number>> =>
    Object.fromEntries([...(await helmReleases(k))].map(([name, r]) => [name, r.revision]));
  const codeRun = (k: Kubectl, name: string) =>
    k.json<KubeObject & { spec: { taskId: number; runType: string; implementationAgent: string } }>(
      "get",
      "coderuns.agents.platform",
      "-n",
      "cto",
      name,
    );
  /** rex's model as the controller reads it (config.yaml of ConfigMap cto-controller-config). */
  const controllerModel = async (k: Kubectl): Promise<unknown> => {
    const cm = await k.json<{ data: Record<string, string> }>("get", "configmap", "cto-controller-config", "-n", "cto");
    return YAML.parse(cm.data["config.yaml"] ?? "{}")?.agents?.rex?.model;
  };
  /** After destroy: cto created the simulated cluster, so it removed it and its directory. */
  const assertClusterGone = async (k: Kubectl, cluster: string): Promise<void> => {
    assert.ok(!p.clusters().includes(cluster), `${cluster}'s kwok directory removed: ${p.clusters().join(", ")}`);
    const r = await k.run("get", "namespaces", "--request-timeout=3s");
    assert.notEqual(r.code, 0, `${cluster}'s API server is gone`);
  };

  before(async () => {
    latest = (await loadCatalog()).latestRelease;
    fake = await startFakeGitHub({ autoInstall: true });
    p = await CtoProject.create();
    p.env.CTO_CHART_MIRROR = p.mirror.url;
    // `cto github apps create` needs the user's token to look for an existing App of the name.
    p.env.GITHUB_TOKEN = fake.tokenFor("octo");

    // cto --help shows every command's examples (the cli tier checks that against each help).
    const help = await p.ok("--help");
    const all = examplesIn(help.stdout);
    examples = all.filter((l) => NEEDS_CLUSTER_OR_GITHUB.test(afterCto(splitPipe(l).command)));
    assert.ok(examples.length >= 25, `cluster and GitHub examples: ${examples.join("\n")}`);

    assert.equal(all[0], "cto init --yes --org acme --repo platform");
    await p.ok(...argsOf(all[0] as string));
    writeFileSync(p.configFile, uncommentProd(await readFile(p.configFile, "utf8")));
    await p.editConfig((doc) => {
      doc.setIn(["cluster", "provider"], "simulated");
      // The block's cluster is an existing one (provider existing, a kubeconfig context).
      doc.setIn(["environments", "prod", "cluster"], doc.createNode({ provider: "simulated", name: PROD_CLUSTER }));
      doc.setIn(["github", "base_url"], fake.apiUrl);
      doc.setIn(["github", "webhook_url"], fake.webhookUrl);
    });
    await p.ok("config", "validate");
    await p.ok("config", "show", "--env", "prod", "--resolved");
  });
  after(async () => {
    await p?.cleanup();
    await fake?.close();
  });
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("github apps create --agents rex --org acme: the App exists on GitHub (the fake), owned by acme, its credentials in dev's stack", async () => {
    // The person at the browser confirms "Create GitHub App" on the page cto announces.
    const r = await example("cto github apps create --agents rex --org acme", (args) =>
      runWithBrowser(args, { cwd: p.sandbox.cwd, env: p.env }),
    );
    const app = fake.app("acme-rex");
    assert.equal(app.owner.login, "acme");
    assert.equal(app.hookUrl, `${fake.webhookUrl}/rex`, "the App delivers to rex's URL");
    assert.match(r.stdout, new RegExp(`^rex +acme-rex +app ${app.id} +created`, "m"));
    // The credentials in the stack: the next examples (rotate, redeliver) authenticate with them.
    assert.match(r.stderr, /rex: created acme-rex .*stored encrypted in stack dev/);
  });

  it("github apps create --rotate-keys --key-file rex=./acme-rex.private-key.pem: a new webhook secret on the App, the new key stored", async () => {
    // The key a user generates on the App's settings page and downloads next to cto.yaml.
    writeFileSync(path.join(p.sandbox.cwd, "acme-rex.private-key.pem"), fake.newPrivateKey("acme-rex"), {
      mode: 0o600,
    });
    const secretBefore = fake.app("acme-rex").webhookSecret;
    const r = await example("cto github apps create --rotate-keys --key-file rex=./acme-rex.private-key.pem");
    assert.match(r.stdout, /^rex +acme-rex +app \d+ +rotated \(webhook_secret, private_key\)/m);
    assert.notEqual(fake.app("acme-rex").webhookSecret, secretBefore, "GitHub signs with the new secret");
    assert.match(r.stderr, /rex: new private key verified and stored/);
  });

  it("github redeliver --failed, then --delivery 12345: GitHub (the fake) sends those deliveries again", async () => {
    const rex = fake.app("acme-rex");
    const ping = rex.deliveries.find((d) => d.event === "ping");
    assert.ok(ping, "GitHub pinged the new App's URL");
    const issue = await fake.deliver(
      "acme-rex",
      "issues",
      { action: "labeled", label: { name: "cto:rex" }, issue: { number: 1, state: "open" } },
      { installationId: rex.installations[0]?.id, repositoryId: 42, deliveryId: 12345 },
    );
    assert.ok(issue, "delivered");
    for (const d of [ping, issue]) assert.ok(d.status_code >= 400, `delivery ${d.id} failed (${d.status_code})`);

    const failed = await example("cto github redeliver --agent rex --failed");
    for (const d of [ping, issue])
      assert.match(failed.stdout, new RegExp(`asked GitHub to send delivery ${d.id} again`));
    const again = (guid: string) => rex.deliveries.filter((d) => d.redelivery && d.guid === guid).length;
    assert.equal(again(ping.guid), 1, "the ping sent again");
    assert.equal(again(issue.guid), 1, "delivery 12345 sent again");

    const one = await example("cto github redeliver --agent rex --delivery 12345");
    assert.match(one.stdout, /asked GitHub to send delivery 12345 again/);
    assert.equal(again(issue.guid), 2, "delivery 12345 sent a second time");
    assert.equal(again(ping.guid), 1, "nothing else");
  });

  it("doctor, doctor --fix and doctor --profile production --env prod --json: every critical check passes before anything is installed", async () => {
    const dev = await example("cto doctor");
    assert.match(dev.stdout, /✓/);
    const fix = await example("cto doctor --fix");
    assert.match(fix.stdout, /Nothing to fix\.|Fixes:/);
    const prod = await example("cto doctor --profile production --env prod --json");
    const report = JSON.parse(prod.stdout) as {
      ok: boolean;
      environment: string;
      profile: string;
      provider: string;
      checks: { id: string; status: string }[];
    };
    assert.equal(
      report.checks.find((c) => c.id === "github.token")?.status,
      "ok",
      "the token works on GitHub (the fake)",
    );
    assert.deepEqual(
      [report.ok, report.environment, report.profile, report.provider],
      [true, "prod", "production", "simulated"],
    );
  });

  it("preview, preview --json and preview --env prod --diff before any install: every resource to create, no cluster started", async () => {
    const text = await example("cto preview");
    assert.match(text.stdout, /create/);
    const report = JSON.parse((await example("cto preview --json")).stdout) as PreviewJson;
    assert.ok(report.steps.length > 10, JSON.stringify(report.steps));
    assert.deepEqual([...new Set(report.steps.map((s) => s.op))], ["create"], "a first preview only creates");
    assert.ok(
      report.steps.some((s) => s.component === "argo-cd"),
      "argo-cd in dev's plan",
    );
    const prod = await example("cto preview --env prod --diff");
    assert.match(prod.stdout, /backup/, "prod (production profile) has the backup component");
    assert.deepEqual(p.clusters(), [], "previews start no cluster");
  });

  let dev: Kubectl;

  it("up --yes installs dev: its simulated cluster, the core Helm releases deployed", async () => {
    await example("cto up --yes");
    dev = p.kubectl(DEV_CLUSTER);
    const releases = await helmReleases(dev);
    for (const r of ["argo-cd", "argo-workflows", "argo-events"])
      assert.equal(releases.get(r)?.status, "deployed", `release ${r}`);
    assert.equal(releases.has("monitoring"), false, "minimal: no monitoring");
    await dev.ok("get", "namespace", "cto");
  });

  it("task run --agent rex --repo acme/platform --issue 1: the CodeRun is in dev's API server (no controller runs to pick it up)", async () => {
    const r = await example("cto task run --agent rex --repo acme/platform --issue 1");
    const name = /Accepted: coderun\/(\S+) in cto/.exec(r.stdout)?.[1];
    assert.ok(name, r.stdout);
    const run = await codeRun(dev, name);
    assert.deepEqual([run.spec.taskId, run.spec.runType, run.spec.implementationAgent], [1, "implementation", "rex"]);
  });

  it("upgrade --yes: dev is on the newest release, so nothing changes; the release is recorded in cto.yaml", async () => {
    const before = await revisions(dev);
    const r = await example("cto upgrade --yes");
    assert.match(
      r.stdout,
      new RegExp(`Upgrade dev: release ${latest.replace(/\./g, "\\.")} → ${latest.replace(/\./g, "\\.")}`),
    );
    assert.match(r.stdout, /No changes: dev already matches the plan/);
    const doc = await yaml();
    assert.equal(doc.getIn(["environments", "dev", "release"]) ?? doc.get("release"), latest);
    assert.deepEqual(await revisions(dev), before, "no new Helm revision");
  });

  it("pulumi --env dev -- preview --diff: the plain Pulumi CLI on dev's stack sees nothing to change", async () => {
    const r = await example("cto pulumi --env dev -- preview --diff");
    assert.match(r.stdout, /\d+ unchanged/, r.stdout.slice(-2000));
    assert.doesNotMatch(r.stdout, /\d+ to (create|update|delete|replace)/, r.stdout.slice(-2000));
    assert.match(r.stderr, /cto: pulumi preview --diff {2}\(stack acme-platform\/dev, in /);
  });

  it("refresh and refresh --env dev --clear-pending: two refreshes recorded, nothing changed in the cluster", async () => {
    const before = await revisions(dev);
    await example("cto refresh");
    await example("cto refresh --env dev --clear-pending");
    const ops = (await history("dev")).slice(-2).map((u) => `${u.operation} ${u.status}`);
    assert.deepEqual(ops, ["refresh succeeded", "refresh succeeded"]);
    assert.deepEqual(await revisions(dev), before, "a refresh changes nothing in the cluster");
  });

  it("rollback --yes: dev back on update 1's plan (setup: an update that sets rex's model)", async () => {
    await p.editConfig((doc) => doc.setIn(["environments", "dev", "agents", "rex", "model"], MODELS[0]));
    await p.ok("up", "--yes"); // setup: an update to roll back
    assert.equal(await controllerModel(dev), MODELS[0]);
    const r = await example("cto rollback --yes");
    assert.match(r.stdout, /Roll dev back to update 1 /);
    assert.notEqual(await controllerModel(dev), MODELS[0], "update 1 set no model");
    const last = (await history("dev")).at(-1);
    assert.deepEqual([last?.operation, last?.rollbackOf, last?.status], ["rollback", 1, "succeeded"]);
  });

  it("up --env dev --profile standard --yes --json: dev runs the standard profile (monitoring, logging, database operators); last, as it is the heaviest change", async () => {
    const r = await example("cto up --env dev --profile standard --yes --json");
    const result = jsonLines(r.stdout).find((e) => e.kind === "result");
    assert.equal(result?.environment, "dev", r.stdout.slice(-2000));
    assert.ok(((result?.changes as Record<string, number>).create ?? 0) > 0, JSON.stringify(result?.changes));
    const releases = await helmReleases(dev);
    for (const rel of ["monitoring", "logging", "postgres-operator", "redis-operator"])
      assert.equal(releases.get(rel)?.status, "deployed", `release ${rel}`);
    const updates = await history("dev");
    assert.equal(updates.at(-1)?.profile, "standard");
  });

  it("destroy --env dev --yes: dev's cluster and everything in it are gone", async () => {
    await example("cto destroy --env dev --yes");
    await assertClusterGone(dev, DEV_CLUSTER);
  });

  let prod: Kubectl;

  it("task run … --type review --env prod --json: after prod is installed (setup: cto up --env prod --yes), the CodeRun is in prod's API server", async () => {
    await p.ok("up", "--env", "prod", "--yes"); // setup: no example installs prod
    prod = p.kubectl(PROD_CLUSTER);
    const releases = await helmReleases(prod);
    for (const rel of ["argo-cd", "backup", "cert-manager"])
      assert.equal(releases.get(rel)?.status, "deployed", `release ${rel}`);
    const r = await example("cto task run --agent rex --repo acme/platform --issue 42 --type review --env prod --json");
    const out = JSON.parse(r.stdout) as { accepted: boolean; name: string; namespace: string };
    assert.equal(out.accepted, true);
    const run = await codeRun(prod, out.name);
    assert.deepEqual([run.spec.taskId, run.spec.runType], [42, "review"]);
  });

  it("upgrade --env prod --to 0.3.0 --yes: prod records release 0.3.0 in cto.yaml, no new Helm revision", async () => {
    const before = await revisions(prod);
    const r = await example("cto upgrade --env prod --to 0.3.0 --yes");
    assert.match(r.stdout, /Upgrade prod: release \S+ → 0\.3\.0/);
    assert.equal((await yaml()).getIn(["environments", "prod", "release"]), "0.3.0");
    assert.deepEqual(await revisions(prod), before);
  });

  it("backup create/list/restore on prod: the objects in the API server, followed to Velero's outcome (Velero played by the test)", async () => {
    const velero = new VeleroStandIn(prod).start();
    try {
      const waited = await example("cto backup create --env prod --wait");
      const first = /Created backup (\S+) in (\S+) \(/.exec(waited.stdout);
      assert.ok(first, waited.stdout);
      const [, firstName, ns] = first as unknown as [string, string, string];
      assert.match(waited.stdout, new RegExp(`✓ Backup ${firstName} completed`));

      await example("cto backup create --env prod --name before-upgrade");
      const backup = await prod.json<KubeObject & { spec: { includedNamespaces: string[] } }>(
        ...["get", "backups.velero.io", "-n", ns, "before-upgrade"],
      );
      assert.ok(backup.spec.includedNamespaces.includes("cto"), JSON.stringify(backup.spec));
      // Velero (played) completes it; a restore takes only a completed backup.
      const phase = await eventually(
        async () => (await prod.json<KubeObject>("get", "backups.velero.io", "-n", ns, "before-upgrade")).status?.phase,
        (v) => v === "Completed",
      );
      assert.equal(phase, "Completed");

      const table = await example("cto backup list --env prod");
      for (const name of [firstName, "before-upgrade"]) assert.match(table.stdout, new RegExp(`^${name} +manual`, "m"));
      const list = JSON.parse((await example("cto backup list --env prod --json")).stdout) as {
        name: string;
        phase: string | null;
      }[];
      assert.deepEqual(
        list.filter((b) => b.name === firstName || b.name === "before-upgrade").map((b) => b.phase),
        ["Completed", "Completed"],
      );

      const whole = await example("cto backup restore before-upgrade --env prod --yes");
      assert.match(whole.stdout, /✓ Restore \S+ completed/);
      const narrow = await example("cto backup restore before-upgrade --env prod --namespace cto --yes");
      assert.match(narrow.stdout, /Created restore \S+ of backup before-upgrade in \S+ \(cto\)/);
      const restores = await prod.json<{
        items: (KubeObject & { spec: { backupName: string; includedNamespaces?: string[] } })[];
      }>("get", "restores.velero.io", "-n", ns);
      assert.deepEqual(
        restores.items.map((x) => [x.spec.backupName, x.spec.includedNamespaces ?? null]).sort(),
        [
          ["before-upgrade", ["cto"]],
          ["before-upgrade", null], // the whole backup: no includedNamespaces
        ].sort(),
      );
    } finally {
      await velero.stop();
    }
  });

  it("rollback --env prod --to 3 --yes: prod re-applies update 3 (setup: updates 2-4 change rex's model)", async () => {
    for (const model of MODELS) {
      await p.editConfig((doc) => doc.setIn(["environments", "prod", "agents", "rex", "model"], model));
      await p.ok("up", "--env", "prod", "--yes"); // setup
    }
    const updates = await history("prod");
    assert.deepEqual(
      updates.map((u) => `${u.n} ${u.operation} ${u.status}`),
      ["1 up succeeded", "2 up succeeded", "3 up succeeded", "4 up succeeded"],
    );
    assert.equal(await controllerModel(prod), MODELS[2]);
    const r = await example("cto rollback --env prod --to 3 --yes");
    assert.match(r.stdout, /Roll prod back to update 3 /);
    assert.equal(await controllerModel(prod), MODELS[1], "update 3's model again");
    const last = (await history("prod")).at(-1);
    assert.deepEqual([last?.operation, last?.rollbackOf], ["rollback", 3]);
  });

  it("destroy --env prod --yes --confirm prod: prod's cluster and everything in it are gone", async () => {
    await example("cto destroy --env prod --yes --confirm prod");
    await assertClusterGone(prod, PROD_CLUSTER);
  });

  it("every example of cto --help that needs a cluster or GitHub ran here and exited 0", () => {
    assert.deepEqual(
      examples.filter((l) => !ran.has(l)),
      [],
      "examples this file has no step for",
    );
  });
});
