/**
 * Issue 15 "Tests that prove it": the PRD's minimal example as written, only the cluster chosen by
 * CTO_CLUSTER_PROVIDER=simulated and every third-party chart served by CTO_CHART_MIRROR, installed
 * by the built `cto` (real Pulumi engine, real kube-apiserver via kwok, stand-in charts carrying the
 * official Argo CRDs from ../shared/charts-data). Every check reads the cluster through kubectl.
 *
 * up → platform CRDs, controller, event wiring, WorkflowTemplate → task run → status's
 * "Ready for tasks:" line → no-op up → mail on (issue 18: SMTP settings in the controller's config,
 * the password in the Secret it names) → destroy leaves no cluster and no state.
 */
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { repoRoot } from "../helpers/chart-repo.js";
import { chartsDataMissing, dataFor } from "../helpers/charts-data.js";
import { CtoProject, establishedCrds, workloads } from "../helpers/cto-project.js";
import type { KubeObject, Kubectl } from "../helpers/kwok.js";

// examples/prd-minimal.yaml: platform.name (the simulated cluster's name), namespace, agent.
const CLUSTER = "my-dev-platform";
const NS = "cto";

interface Crd {
  metadata: { name: string };
  spec: { versions: { name: string; schema?: unknown }[] };
}

describe("issue 15: the PRD's minimal example is ready for tasks on a simulated cluster", function () {
  this.timeout(1_800_000);
  let p: CtoProject;
  let k: Kubectl;

  before(async () => {
    p = await CtoProject.create();
    copyFileSync(path.join(repoRoot(), "examples", "prd-minimal.yaml"), p.configFile);
    p.env.CTO_CLUSTER_PROVIDER = "simulated";
    p.env.CTO_CHART_MIRROR = p.mirror.url;
  });
  after(async () => {
    if (p) await p.teardown();
  });
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("cto up --yes installs the example as written", async () => {
    await p.ok("up", "--yes");
    k = p.kubectl(CLUSTER);
    assert.ok(
      p.mirror.requests.some((r) => r.path.endsWith(".tgz") && r.status === 200),
      "the charts came from the mirror",
    );
  });

  it("the platform's CRDs are established and its controller is available", async () => {
    const crds = await establishedCrds(k);
    for (const crd of ["coderuns.agents.platform", "docsruns.agents.platform"]) assert.ok(crds.has(crd), crd);
    const ctl = (await workloads(k, [NS])).find((w) => w.ref === `${NS}/deployment/cto-controller`);
    assert.ok(ctl, "deployment cto-controller exists");
    assert.equal(ctl.ready, ctl.desired, "cto-controller available");
    await k.ok("wait", "--for=condition=Available", "-n", NS, "deployment/cto-controller", "--timeout=10s");
  });

  it("the Argo CRDs in the cluster are the official ones (charts-data)", async function () {
    const kinds: Record<string, string[]> = {
      "argo-events": ["eventbus.argoproj.io", "eventsources.argoproj.io", "sensors.argoproj.io"],
      "argo-workflows": ["workflowtemplates.argoproj.io"],
    };
    for (const [chart, names] of Object.entries(kinds)) {
      const label = (await k.json<{ items: KubeObject[] }>("get", "deployments", "-A")).items
        .map((d) => d.metadata.labels?.["helm.sh/chart"] ?? "")
        .find((c) => c.startsWith(`${chart}-`));
      assert.ok(label, `a ${chart} workload labelled with its chart`);
      const data = dataFor(chart, label.slice(chart.length + 1));
      if (!data) {
        console.log(`      ${chartsDataMissing()}`);
        this.skip();
      }
      const official = YAML.parseAllDocuments(await readFile(path.join(data, "crds.yaml"), "utf8"))
        .map((d) => d.toJS() as Crd | null)
        .filter((c): c is Crd => !!c && names.includes(c.metadata?.name));
      assert.deepEqual(official.map((c) => c.metadata.name).sort(), [...names].sort(), `${data}/crds.yaml`);
      for (const want of official) {
        const got = await k.json<Crd>("get", "crd", want.metadata.name);
        assert.deepEqual(
          got.spec.versions.map((v) => [v.name, v.schema]),
          want.spec.versions.map((v) => [v.name, v.schema]),
          `${want.metadata.name}: the API server holds the official schema`,
        );
      }
    }
  });

  it("EventBus, EventSource, Sensor and WorkflowTemplate are stored by the API server", async () => {
    for (const ref of [
      "eventbus.argoproj.io/default",
      "eventsources.argoproj.io/cto-github",
      "sensors.argoproj.io/cto-rex",
      "workflowtemplates.argoproj.io/cto-agent-run",
    ]) {
      const o = await k.json<KubeObject>("get", "-n", NS, ref);
      assert.equal(o.metadata.name, ref.split("/")[1], ref);
    }
  });

  it("cto task run creates a CodeRun kubectl can get", async () => {
    const r = await p.ok("task", "run", "--agent", "rex", "--repo", "myusername/test-repo", "--issue", "1", "--json");
    const list = await k.json<{ items: KubeObject[] }>(
      "get",
      "coderuns.agents.platform",
      "-n",
      NS,
      "-l",
      "cto.dev/agent=rex",
    );
    assert.equal(list.items.length, 1, r.stdout);
    const name = list.items[0]!.metadata.name;
    assert.ok(r.stdout.includes(name), `the command names its CodeRun ${name}: ${r.stdout}`);
    assert.equal(list.items[0]!.metadata.labels?.["cto.dev/event"], "manual");
  });

  it("cto status ends with the Ready for tasks line: the cluster side ready, no route for GitHub", async () => {
    // The example sets no domain, tunnel or webhook URL, and has no GitHub Apps: GitHub cannot reach it.
    const r = await p.cto(["status"]);
    const line = (r.stdout + r.stderr).split("\n").find((l) => l.startsWith("Ready for tasks:"));
    assert.ok(line, `a Ready for tasks line:\n${r.stdout}\n${r.stderr}`);
    assert.match(line, /^Ready for tasks: no — /);
    assert.match(line, /webhook route: no webhook URL/);
    assert.match(line, /GitHub: /);
    for (const passed of ["controller:", "task resources:", "event wiring:"])
      assert.ok(!line.includes(passed), `${passed} not among the failed checks: ${line}`);
  });

  it("a second cto up --yes reports no changes", async () => {
    const r = await p.ok("up", "--yes");
    assert.match(r.stdout + r.stderr, /no changes/i);
  });

  it("mail on: the controller's config carries the SMTP settings and names the Secret that holds the password", async () => {
    const password = "pw-e2e-mail-Zq8";
    p.env.ACME_SMTP_PASSWORD = password;
    await p.editConfig((doc) => {
      doc.setIn(["features", "mail_notifications"], true);
      doc.set("mail", doc.createNode({ smtp_host: "smtp.acme.example", smtp_port: 465, from: "cto@acme.example" }));
      doc.setIn(["mail", "smtp_password"], "${ACME_SMTP_PASSWORD}");
    });
    await p.ok("up", "--yes");
    const cm = await k.json<KubeObject & { data: Record<string, string> }>(
      "get",
      "configmap",
      "cto-controller-config",
      "-n",
      NS,
      "-o",
      "json",
    );
    const smtp = (
      YAML.parse(cm.data["config.yaml"] ?? "") as { notifications?: { mail?: { smtp?: unknown; from?: string } } }
    ).notifications?.mail;
    assert.deepEqual(smtp?.smtp, {
      host: "smtp.acme.example",
      port: 465,
      tls: "tls",
      username: "cto@acme.example",
      passwordSecret: { name: "cto-smtp", key: "password" },
    });
    assert.equal(smtp?.from, "cto@acme.example");
    assert.ok(!JSON.stringify(cm).includes(password), "no password in the ConfigMap");
    const secret = await k.json<KubeObject & { data: Record<string, string> }>(
      "get",
      "secret",
      "cto-smtp",
      "-n",
      NS,
      "-o",
      "json",
    );
    assert.equal(Buffer.from(secret.data.password ?? "", "base64").toString(), password);
    const deployment = await k.json<{
      spec: { template: { spec: { containers: { env?: { name: string; valueFrom?: unknown }[] }[] } } };
    }>("get", "deployment", "cto-controller", "-n", NS, "-o", "json");
    const env = deployment.spec.template.spec.containers.flatMap((c) => c.env ?? []);
    assert.deepEqual(
      env.find((e) => e.name === "SMTP_PASSWORD")?.valueFrom,
      { secretKeyRef: { name: "cto-smtp", key: "password" } },
      "the controller reads SMTP_PASSWORD from cto-smtp",
    );
  });

  it("cto destroy --yes leaves no cluster and no resource in the state", async () => {
    await p.ok("destroy", "--yes");
    const r = await k.run("get", "namespaces", "--request-timeout=3s");
    assert.notEqual(r.code, 0, "the cluster's API server is gone");
    assert.ok(!existsSync(path.join(p.home, "clusters", CLUSTER)), "no cluster directory");
    // The file backend keeps the stack record (history, for `cto history`) but it holds no resource.
    const stack = path.join(p.home, "state", ".pulumi", "stacks", CLUSTER, "dev.json");
    if (existsSync(stack)) {
      const state = JSON.parse(await readFile(stack, "utf8")) as {
        checkpoint?: { latest?: { resources?: unknown[] } };
      };
      assert.deepEqual(state.checkpoint?.latest?.resources ?? [], [], `${stack} holds no resources`);
    }
  });
});
