/**
 * The stack lifecycle on the real engine AND a real Kubernetes API server (kwok): a namespace and
 * one ConfigMap per component, created through the toolchain's kubernetes provider. Checks what
 * the cluster holds after each step, and that an unreachable cluster is reported as such.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Plan } from "../../profiles/plan.js";
import {
  destroy,
  LifecycleError,
  preview,
  rollbackPlan,
  up,
  type LifecycleOptions,
} from "../../stacks/lifecycle/index.js";
import { acmePlan } from "../golden/acme-plans.js";
import { requireToolchain, startKwokCluster, type KwokCluster } from "../helpers/kwok.js";
import { kubeProgram } from "./fixtures/kube-program.js";

describe("stack lifecycle on the real engine and a kwok cluster", function () {
  this.timeout(900_000);
  let cluster: KwokCluster | undefined;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let plan: Plan;
  let opts: LifecycleOptions;
  const namespace = `lc-${randomBytes(3).toString("hex")}`;

  before(async () => {
    const bin = requireToolchain();
    cluster = await startKwokCluster({ nodes: 1 });
    tmp = mkdtempSync(path.join(os.tmpdir(), "cto-lc-kwok-"));
    env = {
      ...process.env,
      CTO_HOME: path.join(tmp, "home"),
      PULUMI_HOME: path.join(tmp, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
      CTO_PULUMI_BIN_DIR: bin,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    const base = acmePlan("minimal");
    plan = {
      ...base,
      environment: namespace,
      platform: { ...base.platform, name: `kwok-${namespace}` },
      state: { secretsProvider: "passphrase" },
      secretNames: [],
    };
    opts = { env, programFor: kubeProgram(readFileSync(cluster.kubeconfig, "utf8"), namespace) };
  });

  after(async () => {
    await cluster?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const versions = async (): Promise<Record<string, string>> => {
    const list = await cluster!.kubectl.json("get", "configmaps", "-n", namespace);
    return Object.fromEntries(
      list.items
        .filter((cm) => cm.metadata.name.endsWith("-version"))
        .map((cm) => {
          const data = (cm as unknown as { data: Record<string, string> }).data;
          return [data.component as string, data.version as string];
        }),
    );
  };

  it("up → no-op → change previewed exactly → up → rollback → destroy, checked in the cluster", async () => {
    const first = await up(plan, {}, opts);
    const creates = first.rows.filter((r) => r.op === "create").map((r) => r.resource);
    for (const c of plan.components) assert.ok(creates.includes(`${c.name}-version`), creates.join(", "));
    assert.deepEqual(await versions(), {
      "argo-cd": "7.8.0",
      "argo-workflows": "0.45.0",
      "argo-events": "2.4.0",
      // The plan's domain brings the ingress controller; the controller ships with cto (no chart).
      "ingress-nginx": "4.14.1",
      controller: "-",
    });
    assert.equal(first.outputs.namespace, namespace);

    const noop = await up(plan, {}, opts);
    assert.deepEqual(Object.keys(noop.changes), ["same"], JSON.stringify(noop.changes));

    const bumped: Plan = {
      ...plan,
      components: plan.components.map((c) =>
        c.name === "argo-workflows" && c.chart ? { ...c, chart: { ...c.chart, version: "0.45.1" } } : c,
      ),
    };
    const pv = await preview(bumped, {}, opts);
    assert.deepEqual(
      pv.steps.map((s) => [s.op, s.component, s.label, s.resource]),
      [["update", "argo-workflows", "config map", "argo-workflows-version"]],
    );
    assert.ok(pv.steps[0]?.diffs.includes("data"), JSON.stringify(pv.steps[0]?.diffs));
    assert.equal(pv.stateful.length, 0);

    await up(bumped, {}, { ...opts, operation: "upgrade", total: pv.total });
    assert.equal((await versions())["argo-workflows"], "0.45.1");

    const rb = await rollbackPlan(bumped, {}, undefined, { env });
    const rolled = await up(rb.plan, {}, { ...opts, operation: "rollback", rollbackOf: rb.record.n });
    assert.equal(rolled.changes.update, 1);
    assert.equal((await versions())["argo-workflows"], "0.45.0");

    const gone = await destroy(plan, {}, opts);
    assert.ok((gone.changes.delete ?? 0) >= plan.components.length + 1, JSON.stringify(gone.changes));
    const ns = await cluster!.kubectl.run("get", "namespace", namespace, "-o", "jsonpath={.status.phase}");
    assert.ok(ns.code !== 0 || ns.stdout === "Terminating", `namespace ${namespace} still there: ${ns.stdout}`);
  });

  it("an unreachable cluster is reported as such, with the fix", async () => {
    await up(plan, {}, opts);
    await cluster!.destroy();
    cluster = undefined;
    const bumped: Plan = {
      ...plan,
      components: plan.components.map((c) => (c.chart ? { ...c, chart: { ...c.chart, version: "9.9.9" } } : c)),
    };
    await assert.rejects(up(bumped, {}, opts), (err: unknown) => {
      assert.ok(err instanceof LifecycleError, String(err));
      assert.equal(err.explanation?.kind, "cluster-unreachable", err.message);
      assert.match(err.message, /did not answer/);
      assert.match(err.hint ?? "", /kubectl get nodes/);
      assert.match(err.hint ?? "", /Engine log: .*\.log/);
      return true;
    });
  });
});
