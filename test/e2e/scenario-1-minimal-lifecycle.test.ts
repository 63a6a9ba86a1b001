/**
 * Scenario 1: the whole lifecycle of a minimal `dev` environment on a simulated cluster, driven
 * through the built `cto` binary (real Pulumi engine, real kube-apiserver via kwok, stand-in charts
 * from the chart mirror). Every check reads the cluster through kubectl.
 *
 * init → up → (namespaces, releases, CRDs, workloads, Secrets, labels) → status → no-op up →
 * enable a feature + bump a chart → preview shows exactly that → up → rollback → destroy.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { nextPatch } from "../helpers/chart-repo.js";
import { runCto } from "../helpers/cli.js";
import { CtoProject, establishedCrds, helmReleases, labelled, workloads } from "../helpers/cto-project.js";
import type { Kubectl, KubeList } from "../helpers/kwok.js";

const CLUSTER = "acme-dev";
const CORE_NAMESPACES = ["argocd", "argo", "cto"];
// The controller is no Helm release: its objects ship with cto (templates/platform/objects).
const CORE_RELEASES = ["argo-cd", "argo-workflows", "argo-events"];

interface PreviewJson {
  steps: { component: string; resource: string; type: string; op: string }[];
}

describe("scenario 1: minimal dev environment, full lifecycle through cto", function () {
  this.timeout(1_800_000);
  let p: CtoProject;
  let k: Kubectl;
  /** Argo CD's chart version as first installed (the platform release's pin), and its bump. */
  let argoCdVersion = "";
  let bumped = "";

  const argoCdChart = async (): Promise<string> => {
    const server = await k.json<{ metadata: { labels: Record<string, string> } }>(
      "get",
      "-n",
      "argocd",
      "deployment/argo-cd-argocd-server",
    );
    return server.metadata.labels["helm.sh/chart"] ?? "";
  };

  before(async () => {
    p = await CtoProject.create();
    p.countPulumiCommands(); // the engine passes of each cto command (issue 20)
  });
  after(async () => {
    if (p) await p.cleanup();
  });
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("cto init writes a config for a simulated cluster", async () => {
    await p.init("minimal", CLUSTER);
    await p.ok("config", "validate");
  });

  it("cto up --yes installs the platform, leaving no copy of the cluster's credentials in TMPDIR", async () => {
    // The kubernetes provider writes the kubeconfig to $TMPDIR/kubeconfig* for Helm and never
    // removes it; cto gives the engine a private TMPDIR under its home and removes it on exit.
    const tmp = path.join(p.sandbox.root, "tmp");
    mkdirSync(tmp);
    p.env.TMPDIR = tmp;
    const r = await p.okCountingEngine("up", "--yes");
    k = p.kubectl(CLUSTER);
    // One engine pass (issue 20): the update ran without a preview first (counted from the pulumi
    // processes cto started, and from the engine logs: each engine run writes its own), numbered
    // by its own events with the total unknown beforehand.
    assert.deepEqual([r.previews, r.updates], [0, 1], `one pulumi up, no preview: ${r.pulumi.join(", ")}`);
    const logs = readdirSync(path.join(p.home, "logs"));
    assert.deepEqual(
      logs.filter((f) => /-preview-/.test(f)),
      [],
      `no preview before the update: ${logs.join(", ")}`,
    );
    assert.equal(logs.filter((f) => /-up-/.test(f)).length, 1, logs.join(", "));
    assert.match(r.stdout, /^\[1\/\?\] /m);
    assert.match(r.stdout, /^dev applied in \S+: \d+ created/m);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith("kubeconfig")),
      [],
      "no kubeconfig copies in TMPDIR",
    );
    assert.deepEqual(readdirSync(path.join(p.home, "run", "tmp")), [], "cto removed the engine's TMPDIR");
  });

  it("the cluster has our namespaces, labelled as ours", async () => {
    const list = await k.json<KubeList>("get", "namespaces");
    const ours = list.items.filter((n) => n.metadata.labels?.["app.kubernetes.io/managed-by"] === "cto");
    for (const ns of CORE_NAMESPACES)
      assert.ok(
        ours.some((n) => n.metadata.name === ns),
        `namespace ${ns} labelled managed-by=cto`,
      );
  });

  it("every core Helm release is deployed at the chart version the platform release pins", async () => {
    const releases = await helmReleases(k);
    for (const r of CORE_RELEASES) assert.equal(releases.get(r)?.status, "deployed", `release ${r}`);
    const chart = await argoCdChart();
    assert.match(chart, /^argo-cd-\d+\.\d+\.\d+$/);
    argoCdVersion = chart.slice("argo-cd-".length);
    bumped = nextPatch(argoCdVersion);
  });

  it("the charts' CRDs are established", async () => {
    const crds = await establishedCrds(k);
    for (const crd of [
      "applications.argoproj.io",
      "appprojects.argoproj.io",
      "workflows.argoproj.io",
      "workflowtemplates.argoproj.io",
      "sensors.argoproj.io",
      "eventsources.argoproj.io",
      "coderuns.agents.platform",
    ])
      assert.ok(crds.has(crd), `${crd} established`);
  });

  it("every workload is available", async () => {
    const all = await workloads(k, CORE_NAMESPACES);
    assert.ok(all.length >= 8, JSON.stringify(all));
    for (const w of all) assert.equal(w.ready, w.desired, `${w.ref} ready`);
    const refs = all.map((w) => w.ref);
    for (const ref of [
      "argocd/deployment/argo-cd-argocd-server",
      "argocd/statefulset/argo-cd-argocd-application-controller",
      "argo/deployment/argo-workflows-workflow-controller",
      "argo/deployment/argo-events-controller-manager",
      "cto/deployment/cto-controller",
    ])
      assert.ok(refs.includes(ref), `${ref} exists`);
  });

  it("the platform's Secrets are present in its namespace", async () => {
    const secrets = await k.json<KubeList>("get", "secrets", "-n", "cto");
    const ours = secrets.items.filter((s) => s.metadata.labels?.["app.kubernetes.io/managed-by"] === "cto");
    assert.ok(ours.length > 0, `Secrets of ours in cto: ${secrets.items.map((s) => s.metadata.name).join(", ")}`);
  });

  it("cto status exits 0 and reports the components healthy", async () => {
    const r = await p.ok("status");
    for (const c of CORE_RELEASES) assert.match(r.stdout, new RegExp(c));
  });

  it("a second cto up changes nothing (no new Helm revision)", async () => {
    const before = await helmReleases(k);
    const r = await p.ok("up", "--yes");
    assert.match(r.stdout + r.stderr, /no changes/i);
    const after = await helmReleases(k);
    for (const rel of CORE_RELEASES) assert.equal(after.get(rel)?.revision, before.get(rel)?.revision, rel);
  });

  it("cto secrets set of an agent API key: preview updates its Secret in place, up stores it", async () => {
    const set = await runCto(["secrets", "set", "ANTHROPIC_API_KEY", "--env", "dev"], {
      cwd: p.sandbox.cwd,
      env: p.env,
      input: "sk-e2e-not-a-real-key\n",
    });
    assert.equal(set.code, 0, set.stderr);
    const report = JSON.parse((await p.ok("preview", "--json")).stdout) as PreviewJson;
    const changed = report.steps.filter((s) => s.op !== "same");
    assert.deepEqual(
      changed.map((s) => `${s.op} ${s.type}`),
      ["update kubernetes:core/v1:Secret"],
      `only the API key Secret changes, in place: ${JSON.stringify(changed)}`,
    );
    await p.ok("up", "--yes");
    const secrets = await k.json<KubeList>("get", "secrets", "-n", "cto", "-l", "app.kubernetes.io/managed-by=cto");
    const key = Buffer.from("sk-e2e-not-a-real-key").toString("base64");
    assert.ok(
      secrets.items.some((s) => (s as { data?: Record<string, string> }).data?.ANTHROPIC_API_KEY === key),
      "a Secret of ours holds the key",
    );
  });

  it("enabling a feature and bumping one chart: cto preview shows exactly those changes", async () => {
    await p.editConfig((doc) => {
      doc.setIn(["features", "databases"], true);
      doc.setIn(["charts", "argo-cd", "version"], bumped);
    });
    const r = await p.ok("preview", "--json");
    const report = JSON.parse(r.stdout) as PreviewJson;
    const changed = report.steps.filter((s) => s.op !== "same");
    const byComponent = new Set(changed.map((s) => s.component));
    // argo-cd updated in place; the database operators (and their namespace) created; nothing else.
    assert.ok(
      changed.some((s) => s.component === "argo-cd" && s.op === "update"),
      JSON.stringify(changed),
    );
    assert.ok(changed.filter((s) => s.op === "create").length >= 2, JSON.stringify(changed));
    for (const c of ["argo-workflows", "argo-events", "controller"])
      assert.ok(!byComponent.has(c), `${c} unchanged: ${JSON.stringify(changed)}`);
    assert.ok(
      changed.every((s) => s.op === "update" || s.op === "create"),
      `only updates and creates: ${JSON.stringify(changed)}`,
    );
  });

  it("cto up applies them: argo-cd bumped, database operators available", async () => {
    const r = await p.okCountingEngine("up", "--yes");
    assert.deepEqual([r.previews, r.updates], [0, 1], `one pulumi up, no preview: ${r.pulumi.join(", ")}`);
    assert.equal(await argoCdChart(), `argo-cd-${bumped}`);
    const releases = await helmReleases(k);
    assert.equal(releases.get("argo-cd")?.revision, 2);
    assert.equal(releases.get("postgres-operator")?.status, "deployed");
    assert.equal(releases.get("redis-operator")?.status, "deployed");
  });

  it("cto rollback --yes restores the previous versions in the cluster, in one engine pass", async () => {
    const r = await p.okCountingEngine("rollback", "--yes");
    assert.deepEqual([r.previews, r.updates], [0, 1], `one pulumi up, no preview: ${r.pulumi.join(", ")}`);
    assert.match(r.stdout, /^Roll dev back to update \d+ /m);
    assert.match(r.stdout, /^\[1\/\?\] /m, "steps numbered by the update's own events");
    assert.match(r.stdout, /^dev applied in \S+: /m);
    assert.equal(await argoCdChart(), `argo-cd-${argoCdVersion}`);
    const releases = await helmReleases(k);
    assert.equal(releases.get("argo-cd")?.status, "deployed");
    assert.equal(releases.has("postgres-operator"), false, "the feature's releases are gone again");
  });

  it("cto destroy --yes leaves no object of ours and none of our namespaces", async () => {
    await p.ok("destroy", "--yes");
    if (p.clusters().includes(CLUSTER)) {
      // The cluster outlived the platform (cto keeps clusters it did not create): it must be empty of ours.
      assert.deepEqual(await labelled(k, "app.kubernetes.io/managed-by=cto"), []);
      const ns = (await k.json<KubeList>("get", "namespaces")).items.map((n) => n.metadata.name);
      for (const n of [...CORE_NAMESPACES, "databases"]) assert.ok(!ns.includes(n), `namespace ${n} gone`);
    } else {
      // cto created the simulated cluster, so destroy removed it with everything in it.
      const r = await k.run("get", "namespaces", "--request-timeout=3s");
      assert.notEqual(r.code, 0, "the cluster's API server is gone");
      // ... and nothing of it is left on disk (kwok's directories, the kubeconfig cto wrote).
      const dir = path.join(p.home, "clusters", CLUSTER);
      assert.ok(
        !existsSync(dir),
        `${dir} removed: ${existsSync(dir) ? readdirSync(dir, { recursive: true }).join(", ") : ""}`,
      );
    }
  });
});
