/**
 * Each profile of the acme example builds exactly the resources the PRD describes: the resource
 * set (type, name, parent, provider) is compared with a reviewed snapshot per profile, and key
 * inputs (chart sources and versions, values from config, HA replica counts, ordering) are
 * asserted one by one. `CTO_UPDATE_SNAPSHOTS=1` rewrites the snapshots; review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../../config/paths.js";
import { ACME_PROFILES } from "../golden/acme-plans.js";
import { acme, buildUnderMocks, valueOf, type Built } from "./fixtures.js";
import { find, type RecordedResource } from "./harness.js";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const snapshotDir = path.join(packageRoot(), "test", "components", "snapshots");

/** One line per resource, sorted: `type name <parent> [provider]`. */
function resourceSet(recorded: RecordedResource[]): string {
  return `${recorded
    .map((r) => `${r.type} ${r.name} <${r.parent || "stack"}> [${r.provider || "default"}]`)
    .sort()
    .join("\n")}\n`;
}

const get = (value: unknown, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

describe("profiles build the platform the PRD describes (mocks)", function () {
  this.timeout(120_000);
  const built: Partial<Record<(typeof ACME_PROFILES)[number], Built>> = {};
  before(async () => {
    for (const profile of ACME_PROFILES) built[profile] = await buildUnderMocks(acme(profile));
  });
  const of = (profile: (typeof ACME_PROFILES)[number]) => built[profile] as Built;

  for (const profile of ACME_PROFILES) {
    it(`${profile}: the resource set matches test/components/snapshots/acme-${profile}.txt`, () => {
      const actual = resourceSet(of(profile).recorded);
      const file = path.join(snapshotDir, `acme-${profile}.txt`);
      if (process.env.CTO_UPDATE_SNAPSHOTS === "1" || !existsSync(file)) {
        mkdirSync(snapshotDir, { recursive: true });
        writeFileSync(file, actual);
        if (process.env.CTO_UPDATE_SNAPSHOTS !== "1") assert.fail(`snapshot ${file} was missing; written, review it`);
      }
      assert.equal(actual, readFileSync(file, "utf8"));
    });

    it(`${profile}: every chart release uses the plan's chart source and version, in its namespace, after it`, () => {
      const plan = acme(profile);
      const { recorded } = of(profile);
      const releases = recorded.filter((r) => r.type === RELEASE);
      assert.equal(releases.length, plan.components.filter((c) => c.chart).length);
      for (const component of plan.components.filter((c) => c.chart)) {
        const release = releases.find((r) => r.inputs.name === component.name);
        assert.ok(release, `release for ${component.name}`);
        const chart = component.chart!;
        if (chart.repository.startsWith("oci://")) {
          assert.equal(release.inputs.chart, `${chart.repository}/${chart.chart}`);
          assert.equal(release.inputs.repositoryOpts, undefined);
        } else {
          assert.equal(release.inputs.chart, chart.chart);
          assert.deepEqual(release.inputs.repositoryOpts, { repo: chart.repository });
        }
        assert.equal(release.inputs.version, chart.version);
        assert.equal(release.inputs.namespace, component.namespace);
        assert.equal(release.provider, "cluster-provider");
        assert.equal(release.inputs.timeout, 300);
        assert.equal(release.inputs.atomic, false);
        assert.equal(release.inputs.skipAwait, false);
        assert.ok(
          release.dependsOn.includes(`base-ns-${component.namespace}`),
          `${component.name} after its namespace`,
        );
      }
    });

    it(`${profile}: every Kubernetes object we create carries the managed-by and part-of labels`, () => {
      const objects = of(profile).recorded.filter(
        (r) => r.type.startsWith("kubernetes:") && r.type !== RELEASE && !r.type.startsWith("kubernetes:storage"),
      );
      assert.ok(objects.length > 0);
      for (const object of objects) {
        const labels = get(object.inputs, "metadata.labels") as Record<string, string>;
        assert.equal(labels["app.kubernetes.io/managed-by"], "cto", `${object.name} managed-by`);
        assert.equal(labels["app.kubernetes.io/part-of"], "acme-platform", `${object.name} part-of`);
      }
    });

    it(`${profile}: the controller comes after Argo Workflows and Events, the GitHub Secrets, its CRDs and its config, not after Argo CD`, () => {
      const { recorded } = of(profile);
      const controller = find(recorded, "kubernetes:apps/v1:Deployment", "controller-deployment-cto-controller");
      assert.ok(!controller.dependsOn.includes("argo-argo-cd"), "the controller needs nothing of Argo CD");
      // Workflows and Events need nothing of Argo CD either: the three releases install in parallel.
      for (const name of ["argo-argo-workflows", "argo-argo-events"]) {
        const release = find(recorded, RELEASE, name);
        assert.ok(!release.dependsOn.includes("argo-argo-cd"), `${name} does not wait for Argo CD`);
        assert.ok(release.dependsOn.includes("base-ns-argo"), `${name} after its namespace`);
      }
      for (const dependency of [
        "argo-argo-workflows",
        "argo-argo-events",
        "github-github-app-rex",
        "controller-customresourcedefinition-coderuns.agents.platform",
        "controller-configmap-cto-controller-config",
        "controller-configmap-cto-agents",
        "controller-serviceaccount-cto-controller",
        "registry-pull-secret",
      ]) {
        assert.ok(controller.dependsOn.includes(dependency), `controller waits for ${dependency}`);
      }
    });
  }

  it("minimal: core components only, single replicas, no monitoring, databases, security or backup", () => {
    const { recorded } = of("minimal");
    const components = new Set(recorded.filter((r) => !r.custom).map((r) => r.type));
    assert.deepEqual(
      [...components].sort(),
      [
        "cto:argo:ArgoStack",
        "cto:cluster:Cluster",
        "cto:controller:Controller",
        "cto:github:GitHubApps",
        "cto:ingress:Ingress",
        "cto:platform:PlatformBase",
        "cto:registry:Registry",
      ].sort(),
    );
    const argocd = find(recorded, RELEASE, "argo-argo-cd");
    assert.equal(get(argocd.inputs, "values.server.replicas"), 1);
    assert.equal(get(argocd.inputs, "values.redis-ha.enabled"), false);
  });

  it("standard: monitoring and databases; other charts wait for the monitoring CRDs", () => {
    const { recorded } = of("standard");
    for (const name of [
      "monitoring-monitoring",
      "monitoring-logging",
      "databases-postgres-operator",
      "databases-redis-operator",
    ]) {
      find(recorded, RELEASE, name);
    }
    for (const name of ["argo-argo-cd", "databases-postgres-operator", "monitoring-logging"]) {
      assert.ok(find(recorded, RELEASE, name).dependsOn.includes("monitoring-monitoring"), `${name} after monitoring`);
    }
    const controller = find(recorded, "kubernetes:apps/v1:Deployment", "controller-deployment-cto-controller");
    assert.ok(controller.dependsOn.includes("monitoring-monitoring"), "the controller after monitoring");
    assert.equal(
      recorded.filter((r) => r.type.startsWith("cto:security") || r.type.startsWith("cto:backup")).length,
      0,
    );
    const grafana = find(recorded, RELEASE, "monitoring-monitoring");
    assert.equal(get(grafana.inputs, "values.grafana.admin.existingSecret"), "cto-grafana-admin");
    assert.deepEqual(get(grafana.inputs, "values.grafana.ingress.hosts"), ["grafana.acme.example"]);
  });

  it("production: HA replica counts, cert-manager with its issuer after it, network policies, backup", () => {
    const { recorded } = of("production");
    const argocd = find(recorded, RELEASE, "argo-argo-cd");
    assert.equal(get(argocd.inputs, "values.server.replicas"), 2);
    assert.equal(get(argocd.inputs, "values.repoServer.replicas"), 2);
    assert.equal(get(argocd.inputs, "values.redis-ha.enabled"), true);
    assert.equal(get(argocd.inputs, "values.global.domain"), "argocd.acme.example");
    assert.equal(get(find(recorded, RELEASE, "argo-argo-workflows").inputs, "values.controller.replicas"), 2);
    assert.equal(get(find(recorded, RELEASE, "argo-argo-events").inputs, "values.controller.replicas"), 2);
    // One controller even with HA: it runs each task once and nothing here elects a leader.
    assert.equal(
      get(
        find(recorded, "kubernetes:apps/v1:Deployment", "controller-deployment-cto-controller").inputs,
        "spec.replicas",
      ),
      1,
    );
    assert.equal(get(find(recorded, RELEASE, "security-cert-manager").inputs, "values.replicaCount"), 2);
    assert.equal(
      get(find(recorded, RELEASE, "monitoring-monitoring").inputs, "values.prometheus.prometheusSpec.replicas"),
      2,
    );

    const issuer = find(recorded, "kubernetes:cert-manager.io/v1:ClusterIssuer", "security-cluster-issuer");
    assert.ok(
      issuer.dependsOn.includes("security-cert-manager"),
      "the ClusterIssuer (a CRD user) waits for cert-manager",
    );
    assert.equal(get(issuer.inputs, "metadata.name"), "cto-cluster-issuer");
    assert.equal(get(issuer.inputs, "spec.acme.solvers.0.http01.ingress.ingressClassName"), "nginx");

    const policies = recorded.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    assert.deepEqual(policies.map((p) => get(p.inputs, "metadata.namespace")).sort(), ["argo", "argocd", "cto"]);

    const velero = find(recorded, RELEASE, "backup-backup");
    assert.equal(get(velero.inputs, "values.configuration.backupStorageLocation.0.bucket"), "acme-backups");
    assert.equal(get(velero.inputs, "values.schedules.platform.schedule"), "0 2 * * *");
  });

  it("outputs: endpoint, access URLs, namespaces and installed versions", async () => {
    const { outputs } = of("production");
    assert.deepEqual(outputs.urls, {
      argocd: "https://argocd.acme.example",
      workflows: "https://workflows.acme.example",
      grafana: "https://grafana.acme.example",
      webhooks: "https://webhooks.acme.example",
    });
    assert.equal(outputs.clusterProvider, "existing");
    assert.equal(outputs.namespaces.platform, "cto");
    assert.equal(outputs.namespaces.backup, "velero");
    const plan = acme("production");
    const expected: Record<string, string> = { platform: plan.release };
    for (const c of plan.components) expected[c.name] = c.chart?.version ?? plan.images.controller.tag;
    assert.deepEqual(
      outputs.versions,
      Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))),
    );
    assert.equal(of("minimal").outputs.urls.grafana, null);
    assert.equal(of("minimal").outputs.urls.argocd, "http://argocd.acme.example");
    assert.equal(await valueOf(of("minimal").outputs.clusterEndpoint), "");
  });
});
