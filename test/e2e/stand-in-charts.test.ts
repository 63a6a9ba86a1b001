/**
 * The stand-in charts, served by the chart mirror on 127.0.0.1, installed by the real Pulumi
 * engine and Kubernetes provider (Helm releases, as components/chart-release.ts makes them) into
 * a 3-node kwok cluster with the values our templates render for the production profile: every
 * release is deployed, its CRDs are established, its workloads carry the real charts' names and
 * become available with the rendered replica counts and anti-affinity. Read back with kubectl.
 */
import { strict as assert } from "node:assert";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import { renderPlatform } from "../../templates/index.js";
import { acmePlan } from "../golden/acme-plans.js";
import { startChartMirror, type ChartMirror } from "../helpers/chart-mirror.js";
import { defaultChartRepo, repoRoot } from "../helpers/chart-repo.js";
import { KubeList, KubeObject, KwokCluster, pulumiEnv, startKwokCluster } from "../helpers/kwok.js";

/** Workloads (kind/name) each release must create: the real charts' names for these release names. */
const EXPECTED: Record<string, string[]> = {
  "argo-cd": [
    "statefulset/argo-cd-argocd-application-controller",
    "deployment/argo-cd-argocd-server",
    "deployment/argo-cd-argocd-repo-server",
    "deployment/argo-cd-argocd-applicationset-controller",
    "deployment/argo-cd-argocd-notifications-controller",
    "deployment/argo-cd-argocd-dex-server",
    "statefulset/argo-cd-redis-ha-server",
    "deployment/argo-cd-redis-ha-haproxy",
  ],
  "argo-workflows": ["deployment/argo-workflows-workflow-controller", "deployment/argo-workflows-server"],
  "argo-events": ["deployment/argo-events-controller-manager"],
  monitoring: [
    "deployment/monitoring-kube-prometheus-operator",
    "deployment/monitoring-grafana",
    "deployment/monitoring-kube-state-metrics",
  ],
  logging: ["statefulset/logging-loki", "deployment/logging-loki-gateway"],
  "postgres-operator": ["deployment/postgres-operator-cloudnative-pg"],
  "redis-operator": ["deployment/redis-operator"],
  "cert-manager": ["deployment/cert-manager", "deployment/cert-manager-webhook", "deployment/cert-manager-cainjector"],
  backup: ["deployment/backup-velero"],
};

const CRDS = [
  "applications.argoproj.io",
  "applicationsets.argoproj.io",
  "appprojects.argoproj.io",
  "workflows.argoproj.io",
  "workflowtemplates.argoproj.io",
  "cronworkflows.argoproj.io",
  "sensors.argoproj.io",
  "eventsources.argoproj.io",
  "eventbus.argoproj.io",
  "prometheuses.monitoring.coreos.com",
  "servicemonitors.monitoring.coreos.com",
  "clusters.postgresql.cnpg.io",
  "redis.redis.redis.opstreelabs.in",
  "certificates.cert-manager.io",
  "clusterissuers.cert-manager.io",
  "schedules.velero.io",
  "backups.velero.io",
];

describe("stand-in charts from the mirror under the real engine (production values, 3 nodes)", function () {
  this.timeout(600_000);
  let cluster: KwokCluster;
  let mirror: ChartMirror;
  let stack: Stack;
  let work: string;
  let cleanupPulumi: (() => Promise<void>) | undefined;

  before(async () => {
    cluster = await startKwokCluster({ nodes: 3, cpu: "4", memory: "8Gi" });
    work = await mkdtemp(path.join(os.tmpdir(), "cto-charts-e2e-"));
    await defaultChartRepo(path.join(work, "repo"));
    mirror = await startChartMirror(path.join(work, "repo"));

    const plan = acmePlan("production");
    const rendered = renderPlatform(plan, { env: {}, randomStore: {}, randomSource: (n) => new Uint8Array(n).fill(7) });
    const p = await pulumiEnv();
    cleanupPulumi = p.cleanup;
    const envVars = Object.fromEntries(
      Object.entries({ ...p.env, NODE_PATH: path.join(repoRoot(), "node_modules") }).filter(
        (e): e is [string, string] => typeof e[1] === "string",
      ),
    );
    stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: "charts",
        projectName: "cto-charts-e2e",
        program: async () => {
          const provider = new k8s.Provider("k8s", { kubeconfig: cluster.kubeconfig });
          const namespaces = new Map<string, k8s.core.v1.Namespace>();
          for (const c of plan.components) {
            if (!namespaces.has(c.namespace))
              namespaces.set(
                c.namespace,
                new k8s.core.v1.Namespace(`ns-${c.namespace}`, { metadata: { name: c.namespace } }, { provider }),
              );
          }
          const releases: Record<string, pulumi.Output<string>> = {};
          // kube-prometheus-stack (the ServiceMonitor CRD) first, as cto orders them
          // (stacks/program.ts): the other charts create ServiceMonitors.
          let monitoring: k8s.helm.v3.Release | undefined;
          // The controller has no chart: its objects ship with cto (templates/platform/objects).
          const charted = plan.components.filter((x) => x.chart);
          for (const c of [
            ...charted.filter((x) => x.name === "monitoring"),
            ...charted.filter((x) => x.name !== "monitoring"),
          ]) {
            const release = new k8s.helm.v3.Release(
              c.name,
              {
                name: c.name,
                namespace: c.namespace,
                chart: c.chart!.chart,
                version: c.chart!.version,
                repositoryOpts: { repo: mirror.url },
                values: rendered.helmValues[c.name] ?? {},
                timeout: 180,
                skipAwait: false,
              },
              { provider, dependsOn: [namespaces.get(c.namespace)!, ...(monitoring ? [monitoring] : [])] },
            );
            if (c.name === "monitoring") monitoring = release;
            releases[c.name] = release.status.status;
          }
          return releases;
        },
      },
      {
        pulumiCommand: await PulumiCommand.get({ root: path.dirname(p.env.CTO_TOOLCHAIN_BIN!) }),
        envVars,
        pulumiHome: p.env.PULUMI_HOME,
        workDir: work,
      },
    );
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
  });

  after(async () => {
    try {
      if (stack) await stack.destroy();
    } finally {
      await mirror?.close();
      await cluster?.destroy();
      if (work) await rm(work, { recursive: true, force: true });
      await cleanupPulumi?.();
    }
  });

  it("every release is deployed, fetched from the mirror", async () => {
    const outputs = await stack.outputs();
    for (const name of Object.keys(EXPECTED)) assert.equal(outputs[name]?.value, "deployed", name);
    assert.ok(mirror.requests.some((r) => r.path === "/index.yaml" && r.status === 200));
    assert.ok(mirror.requests.some((r) => r.path === "/argo-cd-7.8.0.tgz" && r.status === 200));
  });

  it("the charts' CRDs are established", async () => {
    const list = await cluster.kubectl.json<KubeList>("get", "crd");
    const established = new Set(
      list.items
        .filter((c) => c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True"))
        .map((c) => c.metadata.name),
    );
    for (const crd of CRDS) assert.ok(established.has(crd), `${crd} established`);
  });

  it("the workloads have the real charts' names and are available", async () => {
    const plan = acmePlan("production");
    for (const [component, workloads] of Object.entries(EXPECTED)) {
      const ns = plan.components.find((c) => c.name === component)!.namespace;
      for (const w of workloads) {
        const obj = await cluster.kubectl.json<KubeObject>("get", "-n", ns, w);
        const want = obj.spec?.replicas ?? 1;
        assert.equal(obj.status?.readyReplicas ?? 0, want, `${ns}/${w} ready ${want}`);
      }
    }
  });

  it("the monitoring values become the official charts' ServiceMonitors and PodMonitor, accepted by the official CRD", async () => {
    // The production profile turns monitoring on: each chart's monitor, named as the official one.
    const monitors: [string, string, string][] = [
      ["servicemonitor", "argocd", "argo-cd-argocd-server"],
      ["servicemonitor", "argo", "argo-workflows-workflow-controller"],
      ["servicemonitor", "argo", "argo-events-controller-manager"],
      ["servicemonitor", "cert-manager", "cert-manager"],
      ["servicemonitor", "velero", "backup-velero"],
      ["servicemonitor", "monitoring", "logging-loki"],
      ["servicemonitor", "monitoring", "monitoring-kube-prometheus-operator"],
      ["servicemonitor", "monitoring", "monitoring-kube-prometheus-kubelet"],
      ["podmonitor", "databases", "postgres-operator-cloudnative-pg"],
    ];
    for (const [kind, ns, name] of monitors) {
      const o = await cluster.kubectl.json<KubeObject>("get", `${kind}.monitoring.coreos.com`, "-n", ns, name);
      assert.equal(o.metadata.name, name, `${kind} ${ns}/${name}`);
    }
    // Argo CD's carries the platform mark and keeps the chart's own labels.
    const sm = await cluster.kubectl.json<KubeObject>("get", "servicemonitor", "-n", "argocd", "argo-cd-argocd-server");
    assert.equal(sm.metadata.labels?.["cto.dev/platform"], "acme-platform");
    assert.equal(sm.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm");
  });

  it("high availability: rendered replica counts and anti-affinity are in the cluster", async () => {
    const replicas = async (ns: string, w: string) =>
      (await cluster.kubectl.json<KubeObject>("get", "-n", ns, w)).spec?.replicas;
    assert.equal(await replicas("argocd", "deployment/argo-cd-argocd-server"), 2);
    assert.equal(await replicas("argocd", "deployment/argo-cd-argocd-repo-server"), 2);
    assert.equal(await replicas("argocd", "statefulset/argo-cd-redis-ha-server"), 3);
    assert.equal(await replicas("argo", "deployment/argo-workflows-workflow-controller"), 2);
    assert.equal(await replicas("cert-manager", "deployment/cert-manager-webhook"), 2);
    assert.equal(
      await cluster.kubectl.ok(
        "get",
        "-n",
        "monitoring",
        "prometheus/monitoring-kube-prometheus-prometheus",
        "-o",
        "jsonpath={.spec.replicas}",
      ),
      "2",
    );
    // Argo CD's default (soft) anti-affinity spreads the server; redis-ha's hard one puts each
    // replica on its own node.
    const server = await cluster.kubectl.json<KubeObject>("get", "-n", "argocd", "deployment/argo-cd-argocd-server");
    assert.ok(
      JSON.stringify(server.spec?.template?.spec?.affinity).includes("preferredDuringSchedulingIgnoredDuringExecution"),
    );
    const pods = await cluster.kubectl.json<{ items: { spec: { nodeName?: string } }[] }>(
      "get",
      "pods",
      "-n",
      "argocd",
      "-l",
      "app.kubernetes.io/component=redis-ha-server",
    );
    assert.equal(new Set(pods.items.map((p) => p.spec.nodeName)).size, 3, "one redis-ha replica per node");
  });

  it("the platform labels reach the charts that take them", async () => {
    const obj = await cluster.kubectl.json<KubeObject>("get", "-n", "argocd", "deployment/argo-cd-argocd-server");
    assert.equal(obj.metadata.labels?.["cto.dev/platform"], "acme-platform");
    assert.notEqual(obj.metadata.labels?.["app.kubernetes.io/part-of"], "acme-platform");
  });
});
