/**
 * Scenario 2: the standard profile on a 3-node simulated cluster, then the same environment
 * upgraded to the production profile with high availability. Replica counts, anti-affinity and
 * pod placement are read from the cluster with kubectl.
 */
import { strict as assert } from "node:assert";
import { CtoProject, helmReleases, workloads } from "../helpers/cto-project.js";
import type { Kubectl, KubeList, KubeObject } from "../helpers/kwok.js";

const CLUSTER = "acme-std";

describe("scenario 2: standard on 3 nodes, then production with high availability", function () {
  this.timeout(2_400_000);
  let p: CtoProject;
  let k: Kubectl;

  before(async () => {
    p = await CtoProject.create();
    await p.init("standard", CLUSTER);
    await p.editConfig((doc) => doc.setIn(["cluster", "simulated", "nodes"], 3));
  });
  after(() => p?.teardown());
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("standard: up on a 3-node cluster installs monitoring, logging and the database operators", async () => {
    await p.ok("up", "--yes");
    k = p.kubectl(CLUSTER);
    const nodes = await k.json<KubeList>("get", "nodes");
    assert.equal(nodes.items.length, 3);
    const releases = await helmReleases(k);
    for (const r of [
      "argo-cd",
      "argo-workflows",
      "argo-events",
      "monitoring",
      "logging",
      "postgres-operator",
      "redis-operator",
    ])
      assert.equal(releases.get(r)?.status, "deployed", `release ${r}`);
    const all = await workloads(k, ["argocd", "argo", "cto", "monitoring", "databases"]);
    for (const w of all) assert.equal(w.ready, w.desired, `${w.ref} ready`);
    assert.ok(all.some((w) => w.ref === "monitoring/deployment/monitoring-kube-prometheus-operator"));
    assert.ok(all.some((w) => w.ref === "monitoring/statefulset/logging-loki"));
    assert.ok(all.some((w) => w.ref === "databases/deployment/postgres-operator-cloudnative-pg"));
  });

  it("production: up with high availability runs the HA replica counts", async () => {
    await p.editConfig((doc) => {
      doc.set("profile", "production");
      // Production turns on the security components, whose certificates need a domain.
      doc.setIn(["platform", "domain"], "acme.example");
      doc.setIn(["features", "high_availability"], true);
      doc.setIn(["backup", "provider"], "s3-compatible");
      doc.setIn(["backup", "bucket"], "acme-backups");
      doc.setIn(["backup", "endpoint"], "https://s3.acme.example");
    });
    await p.ok("up", "--yes");
    const replicas = async (ns: string, ref: string) => (await k.json<KubeObject>("get", "-n", ns, ref)).spec?.replicas;
    assert.equal(await replicas("argocd", "deployment/argo-cd-argocd-server"), 2);
    assert.equal(await replicas("argocd", "deployment/argo-cd-argocd-repo-server"), 2);
    assert.equal(await replicas("argocd", "deployment/argo-cd-argocd-applicationset-controller"), 2);
    assert.equal(await replicas("argocd", "statefulset/argo-cd-redis-ha-server"), 3);
    assert.equal(await replicas("argo", "deployment/argo-workflows-workflow-controller"), 2);
    assert.equal(await replicas("argo", "deployment/argo-workflows-server"), 2);
    assert.equal(await replicas("argo", "deployment/argo-events-controller-manager"), 2);
    // The controller ships with cto (templates/platform/objects) and runs one replica even with HA.
    assert.equal(await replicas("cto", "deployment/cto-controller"), 1);
    assert.equal(await k.ok("get", "-n", "monitoring", "prometheus", "-o", "jsonpath={.items[0].spec.replicas}"), "2");
    const all = await workloads(k, ["argocd", "argo", "cto", "monitoring", "databases"]);
    for (const w of all) assert.equal(w.ready, w.desired, `${w.ref} ready`);
  });

  it("production: anti-affinity spreads the replicas across the nodes", async () => {
    const server = await k.json<KubeObject>("get", "-n", "argocd", "deployment/argo-cd-argocd-server");
    const affinity = JSON.stringify(server.spec?.template?.spec?.affinity ?? {});
    assert.match(affinity, /podAntiAffinity/);
    const pods = await k.json<{ items: { spec: { nodeName?: string } }[] }>(
      "get",
      "pods",
      "-n",
      "argocd",
      "-l",
      "app.kubernetes.io/component=redis-ha-server",
    );
    assert.equal(pods.items.length, 3);
    assert.equal(new Set(pods.items.map((x) => x.spec.nodeName)).size, 3, "one redis-ha replica per node");
    const serverPods = await k.json<{ items: { spec: { nodeName?: string } }[] }>(
      "get",
      "pods",
      "-n",
      "argocd",
      "-l",
      "app.kubernetes.io/component=server",
    );
    assert.equal(new Set(serverPods.items.map((x) => x.spec.nodeName)).size, 2, "the two servers on different nodes");
  });

  it("production adds cert-manager and backup", async () => {
    const releases = await helmReleases(k);
    assert.equal(releases.get("cert-manager")?.status, "deployed");
    assert.equal(releases.get("backup")?.status, "deployed");
    const webhook = await k.json<KubeObject>("get", "-n", "cert-manager", "deployment/cert-manager-webhook");
    assert.equal(webhook.spec?.replicas, 2);
  });
});
