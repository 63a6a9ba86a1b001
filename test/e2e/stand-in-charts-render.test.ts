/**
 * Every stand-in chart, fetched from the chart mirror and rendered by the real Kubernetes
 * provider's Helm engine (Pulumi engine, `helm.v4.Chart`, provider in render-to-directory mode, no
 * cluster) with the values our templates render for the production profile: the templates are
 * valid Helm, and the objects carry the real charts' names and the HA values.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import YAML from "yaml";
import { renderPlatform } from "../../templates/index.js";
import { acmePlan } from "../golden/acme-plans.js";
import { startChartMirror, type ChartMirror } from "../helpers/chart-mirror.js";
import { defaultChartRepo, repoRoot } from "../helpers/chart-repo.js";
import { pulumiEnv, requireToolchain, type KubeObject } from "../helpers/kwok.js";

describe("stand-in charts rendered by the real provider's Helm engine (production values)", function () {
  this.timeout(600_000);
  let work: string;
  let mirror: ChartMirror;
  let objects: KubeObject[];

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "cto-render-e2e-"));
    await defaultChartRepo(path.join(work, "repo"));
    mirror = await startChartMirror(path.join(work, "repo"));
    const out = path.join(work, "out");
    const plan = acmePlan("production");
    const rendered = renderPlatform(plan, { env: {}, randomStore: {}, randomSource: (n) => new Uint8Array(n).fill(7) });
    // Only the engine and the kubernetes provider: no cluster.
    const p = await pulumiEnv(requireToolchain(["pulumi", "pulumi-resource-kubernetes"]));
    const envVars = Object.fromEntries(
      Object.entries({ ...p.env, NODE_PATH: path.join(repoRoot(), "node_modules") }).filter(
        (e): e is [string, string] => typeof e[1] === "string",
      ),
    );
    try {
      const stack = await LocalWorkspace.createOrSelectStack(
        {
          stackName: "render",
          projectName: "cto-render-e2e",
          program: async () => {
            const provider = new k8s.Provider("render", { renderYamlToDirectory: out });
            for (const c of plan.components.filter((x) => x.chart)) {
              new k8s.helm.v4.Chart(
                c.name,
                {
                  chart: c.chart!.chart,
                  version: c.chart!.version,
                  namespace: c.namespace,
                  repositoryOpts: { repo: mirror.url },
                  values: rendered.helmValues[c.name] ?? {},
                },
                { provider },
              );
            }
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
    } finally {
      await p.cleanup();
    }
    objects = [];
    for (const dir of ["0-crd", "1-manifest"]) {
      if (!existsSync(path.join(out, dir))) continue;
      for (const f of (await readdir(path.join(out, dir))).sort())
        objects.push(YAML.parse(await readFile(path.join(out, dir, f), "utf8")) as KubeObject);
    }
  });

  after(async () => {
    await mirror?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const find = (kind: string, namespace: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);

  it("every chart renders its workloads under the real charts' names", () => {
    const expected: [string, string, string][] = [
      ["StatefulSet", "argocd", "argo-cd-argocd-application-controller"],
      ["Deployment", "argocd", "argo-cd-argocd-server"],
      ["Deployment", "argocd", "argo-cd-argocd-repo-server"],
      ["StatefulSet", "argocd", "argo-cd-redis-ha-server"],
      ["Deployment", "argo", "argo-workflows-workflow-controller"],
      ["Deployment", "argo", "argo-events-controller-manager"],
      ["Deployment", "monitoring", "monitoring-kube-prometheus-operator"],
      ["Prometheus", "monitoring", "monitoring-kube-prometheus-prometheus"],
      ["StatefulSet", "monitoring", "logging-loki"],
      ["Deployment", "databases", "postgres-operator-cloudnative-pg"],
      ["Deployment", "databases", "redis-operator"],
      ["Deployment", "cert-manager", "cert-manager-webhook"],
      ["Deployment", "velero", "backup-velero"],
      ["Schedule", "velero", "backup-velero-platform"],
    ];
    for (const [kind, ns, name] of expected) assert.ok(find(kind, ns, name), `${kind} ${ns}/${name}`);
  });

  it("the CRDs of every chart are rendered", () => {
    const crds = new Set(objects.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name));
    for (const crd of [
      "applications.argoproj.io",
      "workflows.argoproj.io",
      "sensors.argoproj.io",
      "prometheuses.monitoring.coreos.com",
      "clusters.postgresql.cnpg.io",
      "redis.redis.redis.opstreelabs.in",
      "certificates.cert-manager.io",
      "schedules.velero.io",
    ])
      assert.ok(crds.has(crd), crd);
  });

  it("high-availability values become replicas and anti-affinity", () => {
    assert.equal(find("Deployment", "argocd", "argo-cd-argocd-server")?.spec?.replicas, 2);
    assert.equal(find("StatefulSet", "argocd", "argo-cd-redis-ha-server")?.spec?.replicas, 3);
    assert.equal(find("Prometheus", "monitoring", "monitoring-kube-prometheus-prometheus")?.spec?.replicas, 2);
    const affinity = (kind: string, ns: string, name: string) =>
      JSON.stringify(find(kind, ns, name)?.spec?.template?.spec?.affinity ?? {});
    assert.match(affinity("Deployment", "argocd", "argo-cd-argocd-server"), /preferredDuringScheduling/);
    assert.match(affinity("StatefulSet", "argocd", "argo-cd-redis-ha-server"), /requiredDuringScheduling/);
  });

  it("the platform mark reaches the objects of the charts that take it, and the chart keeps its own labels", () => {
    const server = find("Deployment", "argocd", "argo-cd-argocd-server");
    assert.equal(server?.metadata.labels?.["cto.dev/platform"], "acme-platform");
    assert.equal(server?.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm");
    assert.notEqual(server?.metadata.labels?.["app.kubernetes.io/part-of"], "acme-platform");
  });
});
