/**
 * Issue 16 "Tests that prove it": the standard and production profiles with every custom object
 * cto renders accepted by a real API server holding the official CRDs.
 *
 * For each profile, the built `cto render --format manifests` of an acme setup (production with a
 * domain, backup and high availability): the Argo CD Applications (one per chart, each naming its
 * chart and version), the platform's own objects (EventBus, EventSource, Sensors,
 * WorkflowTemplate, its CRDs, RBAC, controller) and, with production's security feature, the
 * cert-manager ClusterIssuer and the NetworkPolicies (the objects components/security.ts creates,
 * from the same functions: test/components/render-objects.test.ts). A kwok cluster (kube-apiserver, no workloads
 * needed) gets every CRD of every chart those Applications name, at their versions, from
 * ../shared/charts-data; then every rendered object is sent to the API server with
 * `kubectl apply --dry-run=server --validate=strict`: the server checks it against the CRD's
 * schema and refuses unknown fields, and nothing is stored. No Pulumi engine: this file is about
 * the schemas, and runs in about a minute.
 *
 * Not here: the objects the charts create from cto's values (ServiceMonitors, PodMonitor,
 * Prometheus, Alertmanager, Velero Schedule and BackupStorageLocation) are created by the
 * stand-in charts carrying the same official CRDs in stand-in-charts.test.ts, and the
 * ExternalSecrets of the manifests format need the External Secrets Operator, which cto does not
 * install (no CRD in the data).
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { chartsDataDir, chartsDataMissing, dataFor } from "../helpers/charts-data.js";
import { Sandbox } from "../helpers/cli.js";
import { startKwokCluster, type KubeObject, type KwokCluster } from "../helpers/kwok.js";

interface Rendered {
  dir: string;
  objects: KubeObject[];
}

/** Objects cto renders whose CRD no chart of the platform installs, with the reason. */
const NOT_SERVED: Record<string, string> = {
  ExternalSecret: "External Secrets Operator is the user's (cto render --secret-store), not a chart cto installs",
};

/**
 * Charts ../shared/charts-data does not hold, and why that leaves no custom object unchecked (an
 * object of a kind no installed CRD serves would fail the dry run anyway).
 */
const NO_DATA: Record<string, string> = {
  "ingress-nginx": "installs no CRDs",
  traefik: "cto creates none of its custom objects (Ingress only)",
};

/** Every YAML document under `dir` (recursively), in file order. */
function readObjects(dir: string): Promise<KubeObject[]> {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  return Promise.all(
    files.map(async (f) =>
      YAML.parseAllDocuments(await readFile(path.join(dir, f), "utf8"))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => !!o && typeof o.kind === "string"),
    ),
  ).then((lists) => lists.flat());
}

const ref = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** What kubectl prints for an object it accepted: `<resource>.<group>/<name> created (server dry run)`. */
const acceptedLine = (o: KubeObject) =>
  new RegExp(`/${o.metadata.name} (created|configured|unchanged) \\(server dry run\\)`);

describe("issue 16: standard and production custom objects against the official CRDs (API server)", function () {
  this.timeout(900_000);
  let cluster: KwokCluster;
  const sandboxes: Sandbox[] = [];
  const crdsApplied = new Set<string>();

  before(async function () {
    if (!chartsDataDir()) {
      console.log(`      ${chartsDataMissing()}`);
      this.skip();
    }
    cluster = await startKwokCluster({ nodes: 1 });
  });
  after(async () => {
    await cluster?.destroy();
    for (const s of sandboxes) s.remove();
  });

  /** `cto init` + `cto render --format manifests` for a profile, through the built binary. */
  async function render(profile: "standard" | "production"): Promise<Rendered> {
    const s = new Sandbox("cto-e2e-objects-");
    sandboxes.push(s);
    const run = async (...args: string[]) => {
      const r = await s.run(args, { env: { CI: "true" } });
      assert.equal(r.code, 0, `cto ${args.join(" ")}: ${r.stdout}\n${r.stderr}`);
    };
    await run(
      ...["init", "--yes", "--provider", "simulated", "--profile", profile, "--org", "acme", "--repo", "platform"],
      ...["--name", `acme-${profile}`, "--domain", "acme.example"],
    );
    if (profile === "production") {
      const file = path.join(s.cwd, "cto.yaml");
      const doc = YAML.parseDocument(await readFile(file, "utf8"));
      doc.setIn(["features", "high_availability"], true);
      doc.setIn(["backup", "provider"], "s3-compatible");
      doc.setIn(["backup", "bucket"], "acme-backups");
      doc.setIn(["backup", "endpoint"], "https://s3.acme.example");
      await writeFile(file, doc.toString());
    }
    const dir = path.join(s.root, "rendered");
    await run("render", "--format", "manifests", "--out", dir);
    return { dir, objects: await readObjects(dir) };
  }

  /** Installs, for real, the official CRDs of every chart the Applications name (once per chart version). */
  async function installChartCrds(objects: KubeObject[]): Promise<string[]> {
    const charts: string[] = [];
    for (const app of objects.filter((o) => o.kind === "Application")) {
      const source = (app.spec as { source?: { chart?: string; targetRevision?: string } }).source;
      assert.ok(source?.chart && source.targetRevision, `${ref(app)} names a chart and version`);
      const data = dataFor(source.chart, source.targetRevision);
      if (!data && NO_DATA[source.chart]) continue;
      assert.ok(data, `${source.chart} ${source.targetRevision} is in ${chartsDataDir()}`);
      charts.push(`${source.chart}-${source.targetRevision}`);
      if (crdsApplied.has(data)) continue;
      crdsApplied.add(data);
      const file = path.join(data, "crds.yaml");
      if ((await readFile(file, "utf8")).trim() === "") continue; // loki: no CRDs of its own
      // Server-side: kube-prometheus-stack's CRDs are too large for the last-applied annotation.
      await cluster.kubectl.ok("apply", "--server-side", "--force-conflicts", "-f", file);
    }
    await cluster.kubectl.ok("wait", "--for=condition=Established", "crd", "--all", "--timeout=120s");
    return charts;
  }

  /** `kubectl apply --dry-run=server --validate=strict` of the objects in one call. */
  async function dryRun(objects: KubeObject[], file: string) {
    await writeFile(file, objects.map((o) => YAML.stringify(o)).join("---\n"));
    return cluster.kubectl.run("apply", "--dry-run=server", "--validate=strict", "-f", file);
  }

  for (const profile of ["standard", "production"] as const) {
    it(`${profile}: every custom object cto renders is accepted by the API server against the official schema`, async () => {
      const { dir, objects } = await render(profile);
      const charts = await installChartCrds(objects);
      if (profile === "production") {
        for (const c of ["cert-manager-", "velero-", "kube-prometheus-stack-", "argo-cd-"])
          assert.ok(
            charts.some((x) => x.startsWith(c)),
            `${c}: ${charts.join(", ")}`,
          );
      }
      // Namespaces and the platform's own CRDs are created for real: the dry run of a namespaced
      // object needs its namespace, and of a CodeRun its CRD.
      const real = objects.filter((o) => o.kind === "Namespace" || o.kind === "CustomResourceDefinition");
      await writeFile(path.join(dir, "..", "real.yaml"), real.map((o) => YAML.stringify(o)).join("---\n"));
      await cluster.kubectl.ok("apply", "--server-side", "--force-conflicts", "-f", path.join(dir, "..", "real.yaml"));
      await cluster.kubectl.ok("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");

      const unserved = objects.filter((o) => NOT_SERVED[o.kind]);
      const checked = objects.filter((o) => !NOT_SERVED[o.kind] && o.kind !== "Namespace");
      const r = await dryRun(checked, path.join(dir, "..", "dry-run.yaml"));
      assert.equal(r.code, 0, `the API server refused some of ${dir}:\n${r.stderr}`);
      for (const o of checked) assert.match(r.stdout, acceptedLine(o), `${ref(o)} accepted:\n${r.stdout}`);

      // Every kind of custom object cto renders for this profile went through the API server.
      const kinds = new Set(checked.map((o) => o.kind));
      for (const kind of ["Application", "EventBus", "EventSource", "Sensor", "WorkflowTemplate"])
        assert.ok(kinds.has(kind), `${kind} among ${[...kinds].join(", ")}`);
      // Production's security feature: the issuer every Ingress names, and the policies.
      const issuers = checked.filter((o) => o.kind === "ClusterIssuer").map((o) => o.metadata.name);
      const policies = checked.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata.namespace);
      assert.deepEqual(issuers, profile === "production" ? ["cto-cluster-issuer"] : []);
      assert.deepEqual(policies.sort(), profile === "production" ? ["argo", "argocd", "cto"] : []);
      const apps = checked.filter((o) => o.kind === "Application").map((o) => o.metadata.name);
      const want =
        profile === "production"
          ? ["argo-cd", "argo-events", "argo-workflows", "backup", "cert-manager", "logging", "monitoring"]
          : ["argo-cd", "argo-events", "argo-workflows", "logging", "monitoring", "postgres-operator"];
      for (const a of want) assert.ok(apps.includes(a), `Application ${a} among ${apps.join(", ")}`);
      // Only the kinds named in NOT_SERVED were left out, each for its stated reason.
      for (const o of unserved) assert.ok(NOT_SERVED[o.kind], ref(o));
    });
  }

  it("the check can fail: a field the official Application schema lacks, or of the wrong type, is refused", async function () {
    if (!cluster) this.skip();
    const { dir, objects } = await render("standard");
    await installChartCrds(objects);
    const app = objects.find((o) => o.kind === "Application" && o.metadata.name === "argo-cd")!;
    const spec = app.spec as { source: Record<string, unknown>; destination: Record<string, unknown> };
    const unknown: KubeObject = { ...app, spec: { ...spec, source: { ...spec.source, chartt: "argo-cd" } } };
    const r1 = await dryRun([unknown], path.join(dir, "..", "unknown.yaml"));
    assert.notEqual(r1.code, 0, r1.stdout);
    assert.match(r1.stderr, /unknown field "spec\.source\.chartt"/);
    const wrongType: KubeObject = { ...app, spec: { ...spec, destination: { ...spec.destination, server: 443 } } };
    const r2 = await dryRun([wrongType], path.join(dir, "..", "wrong-type.yaml"));
    assert.notEqual(r2.code, 0, r2.stdout);
    assert.match(r2.stderr, /spec\.destination\.server/);
  });

  it("the check can fail: a ClusterIssuer with a field cert-manager's schema lacks, or without its ACME server, is refused", async function () {
    if (!cluster) this.skip();
    const { dir, objects } = await render("production");
    await installChartCrds(objects);
    const issuer = objects.find((o) => o.kind === "ClusterIssuer")!;
    assert.ok(issuer, "production renders the ClusterIssuer");
    const { acme } = issuer.spec as { acme: Record<string, unknown> };
    const good = await dryRun([issuer], path.join(dir, "..", "issuer.yaml"));
    assert.equal(good.code, 0, `the rendered ClusterIssuer itself is accepted: ${good.stderr}`);
    const unknown: KubeObject = { ...issuer, spec: { acme: { ...acme, acmeServer: acme.server } } };
    const r1 = await dryRun([unknown], path.join(dir, "..", "issuer-unknown.yaml"));
    assert.notEqual(r1.code, 0, r1.stdout);
    assert.match(r1.stderr, /unknown field "spec\.acme\.acmeServer"/);
    const { server: _server, ...noServer } = acme;
    const r2 = await dryRun([{ ...issuer, spec: { acme: noServer } }], path.join(dir, "..", "issuer-required.yaml"));
    assert.notEqual(r2.code, 0, r2.stdout);
    assert.match(r2.stderr, /spec\.acme\.server: Required value/);
  });
});
