/**
 * Velero Backup and Restore objects cto creates (stacks/backups.ts): their fields for a plan with
 * backup, the status lines and outcomes, and following an object to its outcome or the time limit
 * (kubectl replaced by a runner that returns a scripted series of objects).
 */
import assert from "node:assert/strict";
import type { Plan } from "../../profiles/plan.js";
import {
  backupObject,
  backupTarget,
  followVeleroObject,
  outcomeOf,
  restoreObject,
  stamp,
  statusLine,
  type VeleroObject,
} from "../../stacks/backups.js";
import { Kubectl } from "../../stacks/diagnose/kubectl.js";
import { acmePlan } from "../golden/acme-plans.js";

const NOW = new Date("2026-12-02T11:22:33.456Z");
const production = (): Plan => structuredClone(acmePlan("production"));

/** A Kubectl whose `get` returns the next scripted object each time. */
function scripted(objects: VeleroObject[]): { k: Kubectl; calls: string[][] } {
  const calls: string[][] = [];
  let i = 0;
  const k = new Kubectl(
    { kubeconfig: "/dev/null" },
    {
      kubectl: "kubectl",
      run: async (_cmd, args) => {
        calls.push(args);
        const object = objects[Math.min(i++, objects.length - 1)];
        return { found: true, code: 0, stdout: JSON.stringify(object), stderr: "", timedOut: false };
      },
    },
  );
  return { k, calls };
}

const backupWith = (status?: VeleroObject["status"]): VeleroObject => ({
  apiVersion: "velero.io/v1",
  kind: "Backup",
  metadata: { name: "b1", namespace: "velero" },
  spec: {},
  ...(status ? { status } : {}),
});

describe("Velero backups", () => {
  it("backup off: no target; on: Velero's namespace, every platform namespace, the configured ttl", () => {
    assert.equal(backupTarget(structuredClone(acmePlan("minimal"))), undefined);
    const plan = production();
    const target = backupTarget(plan);
    assert.ok(target);
    const component = plan.components.find((c) => c.name === "backup");
    assert.equal(target.namespace, component?.namespace);
    assert.ok(target.namespaces.includes(plan.platform.namespace));
    assert.deepEqual(target.namespaces, [...target.namespaces].sort());
    assert.equal(target.ttl, plan.backup?.ttl);
  });

  it("the Backup covers what the schedule covers, labelled manual, named <platform>-<UTC time>-<suffix>", () => {
    const plan = production();
    const b = backupObject(plan, NOW, undefined, "ab12");
    assert.equal(stamp(NOW), "20261202-112233");
    assert.equal(b.apiVersion, "velero.io/v1");
    assert.equal(b.kind, "Backup");
    assert.equal(b.metadata.name, `${plan.platform.name}-20261202-112233-ab12`);
    assert.equal(b.metadata.namespace, backupTarget(plan)?.namespace);
    assert.equal(b.metadata.labels?.["cto.dev/backup"], "manual");
    assert.equal(b.metadata.labels?.["app.kubernetes.io/managed-by"], "cto");
    assert.deepEqual(b.spec, {
      includedNamespaces: backupTarget(plan)?.namespaces,
      storageLocation: "default",
      ttl: plan.backup?.ttl,
    });
    assert.equal(backupObject(plan, NOW, "before-upgrade").metadata.name, "before-upgrade");
  });

  it("the Restore names the backup and, when asked, only some namespaces", () => {
    const plan = production();
    const all = restoreObject(plan, "before-upgrade", [], NOW, "ab12");
    assert.equal(all.kind, "Restore");
    assert.equal(all.metadata.name, "before-upgrade-restore-20261202-112233-ab12");
    assert.deepEqual(all.spec, { backupName: "before-upgrade" });
    const some = restoreObject(plan, "before-upgrade", ["cto", "argo"], NOW);
    assert.deepEqual(some.spec, { backupName: "before-upgrade", includedNamespaces: ["argo", "cto"] });
    assert.ok(restoreObject(plan, "x".repeat(80), [], NOW).metadata.name.length <= 63);
  });

  it("two restores or backups made in the same second get different names (AlreadyExists otherwise)", () => {
    const plan = production();
    const restores = new Set(
      Array.from({ length: 20 }, () => restoreObject(plan, "before-upgrade", [], NOW).metadata.name),
    );
    const backups = new Set(Array.from({ length: 20 }, () => backupObject(plan, NOW).metadata.name));
    // 4 hex digits: 20 draws collide with a chance of about 0.3 %; 18 distinct is proof enough.
    assert.ok(restores.size >= 18, [...restores].join(" "));
    assert.ok(backups.size >= 18, [...backups].join(" "));
    for (const name of restores) assert.match(name, /^before-upgrade-restore-20261202-112233-[0-9a-f]{4}$/);
  });

  it("outcomes and status lines", () => {
    assert.equal(outcomeOf("Completed"), "succeeded");
    assert.equal(outcomeOf("PartiallyFailed"), "partial");
    assert.equal(outcomeOf("FailedValidation"), "failed");
    assert.equal(outcomeOf("InProgress"), undefined);
    assert.equal(outcomeOf(undefined), undefined);
    assert.equal(statusLine(backupWith()), "not picked up by Velero yet");
    assert.equal(
      statusLine(backupWith({ phase: "InProgress", progress: { itemsBackedUp: 3, totalItems: 10 }, warnings: 1 })),
      "InProgress, 3/10 items, 1 warning",
    );
  });

  it("follows to the outcome, reporting each change once", async () => {
    const { k, calls } = scripted([
      backupWith(),
      backupWith({ phase: "InProgress", progress: { itemsBackedUp: 1, totalItems: 4 } }),
      backupWith({ phase: "InProgress", progress: { itemsBackedUp: 1, totalItems: 4 } }),
      backupWith({ phase: "Completed", progress: { itemsBackedUp: 4, totalItems: 4 } }),
    ]);
    const lines: string[] = [];
    const r = await followVeleroObject(k, "Backup", "velero", "b1", {
      timeoutMs: 60_000,
      sleep: async () => undefined,
      onChange: (l) => lines.push(l),
    });
    assert.ok(r.ok);
    assert.equal(r.value.timedOut, false);
    assert.equal(r.value.object.status?.phase, "Completed");
    assert.deepEqual(lines, ["not picked up by Velero yet", "InProgress, 1/4 items", "Completed, 4/4 items"]);
    assert.deepEqual(calls[0]?.slice(-7), ["get", "backups.velero.io", "b1", "-n", "velero", "-o", "json"]);
  });

  it("ends at the time limit when Velero never reports", async () => {
    const { k } = scripted([backupWith()]);
    const r = await followVeleroObject(k, "Backup", "velero", "b1", { timeoutMs: 50, pollMs: 10 });
    assert.ok(r.ok);
    assert.equal(r.value.timedOut, true);
    assert.equal(r.value.object.status, undefined);
  });
});
