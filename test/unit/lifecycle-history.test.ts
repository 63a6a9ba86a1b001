import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UserError } from "../../config/errors.js";
import type { Plan } from "../../profiles/plan.js";
import {
  readHistory,
  recordFinish,
  recordStart,
  rollbackTarget,
  versionChanges,
  type HistoryRecord,
} from "../../stacks/history.js";
import { changedKeys, isStatefulChange } from "../../stacks/lifecycle/index.js";
import { acmePlan } from "../golden/acme-plans.js";

const rec = (n: number, status: HistoryRecord["status"], release = `r${n}`): HistoryRecord =>
  ({ n, status, plan: { ...acmePlan("minimal"), release } }) as HistoryRecord;

describe("update history and rollback targets", () => {
  it("rollback defaults to the successful update before the current one", () => {
    assert.equal(rollbackTarget([rec(1, "succeeded"), rec(2, "succeeded"), rec(3, "succeeded")]).n, 2);
  });

  it("repeats of the current plan are skipped", () => {
    const records = [rec(1, "succeeded", "a"), rec(2, "succeeded", "b"), rec(3, "succeeded", "b")];
    assert.equal(rollbackTarget(records).n, 1);
  });

  it("after a failed update, the last successful one is the target", () => {
    assert.equal(rollbackTarget([rec(1, "succeeded"), rec(2, "succeeded"), rec(3, "failed")]).n, 2);
    assert.equal(rollbackTarget([rec(1, "succeeded"), rec(2, "failed"), rec(3, "cancelled")]).n, 1);
  });

  it("--to N must name a succeeded update", () => {
    const records = [rec(1, "succeeded"), rec(2, "failed"), rec(3, "succeeded")];
    assert.equal(rollbackTarget(records, 1).n, 1);
    assert.throws(
      () => rollbackTarget(records, 2),
      (e: unknown) => e instanceof UserError && /did not succeed/.test(e.message),
    );
    assert.throws(
      () => rollbackTarget(records, 9),
      (e: unknown) => e instanceof UserError && /no update 9/.test(e.message),
    );
  });

  it("nothing to roll back to is a user error", () => {
    assert.throws(() => rollbackTarget([rec(1, "succeeded")]), /no earlier successful update/);
    assert.throws(() => rollbackTarget([]), /no earlier successful update/);
  });

  it("records hold the plan, versions and secret names, mode 0600, never values", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cto-history-"));
    try {
      const plan: Plan = { ...acmePlan("standard"), secretNames: ["registry.password", "github.webhook_secret"] };
      const started = await recordStart(dir, { operation: "up", plan, user: "alice", host: "box" });
      assert.equal(started.n, 1);
      assert.equal(started.status, "started");
      await recordFinish(dir, started, { status: "succeeded", engineVersion: 7, changes: { create: 3 } });
      const second = await recordStart(dir, { operation: "upgrade", plan });
      assert.equal(second.n, 2);
      const all = await readHistory(dir);
      assert.deepEqual(
        all.map((r) => [r.n, r.operation, r.status, r.engineVersion]),
        [
          [1, "up", "succeeded", 7],
          [2, "upgrade", "started", undefined],
        ],
      );
      assert.deepEqual(all[0]?.secretNames, ["github.webhook_secret", "registry.password"]);
      assert.equal(all[0]?.versions["monitoring"], "68.0.0");
      for (const f of readdirSync(dir)) {
        assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
        assert.doesNotMatch(readFileSync(path.join(dir, f), "utf8"), /"secrets"/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("version changes between two plans read one per line", () => {
    const from = acmePlan("minimal");
    const to: Plan = {
      ...acmePlan("standard"),
      release: "0.3.0",
      components: acmePlan("standard").components.map((c) =>
        c.name === "argo-cd" && c.chart ? { ...c, chart: { ...c.chart, version: "7.9.0" } } : c,
      ),
    };
    const lines = versionChanges(from, to);
    assert.ok(lines.includes(`release ${from.release} → 0.3.0`), lines.join("\n"));
    assert.ok(lines.includes("profile minimal → standard"));
    assert.ok(lines.includes("argo-cd 7.8.0 → 7.9.0"));
    assert.ok(lines.includes("monitoring: added (68.0.0)"));
  });
});

describe("stateful changes and changed keys", () => {
  it("replacing or deleting volumes, databases and namespaces is stateful; updating is not", () => {
    assert.equal(isStatefulChange("kubernetes:core/v1:PersistentVolumeClaim", "replace"), true);
    assert.equal(isStatefulChange("kubernetes:core/v1:Namespace", "delete"), true);
    assert.equal(isStatefulChange("kubernetes:postgresql.cnpg.io/v1:Cluster", "delete-replaced"), true);
    assert.equal(isStatefulChange("kubernetes:helm.sh/v3:Release", "delete", "database"), true);
    assert.equal(isStatefulChange("kubernetes:helm.sh/v3:Release", "delete", "core"), false);
    assert.equal(isStatefulChange("kubernetes:core/v1:PersistentVolumeClaim", "update"), false);
    assert.equal(isStatefulChange("kubernetes:core/v1:ConfigMap", "replace"), false);
  });

  it("changed keys compare values and skip internal ones", () => {
    assert.deepEqual(
      changedKeys({ a: 1, b: { c: 2 }, __provider: "x" }, { a: 1, b: { c: 3 }, d: 4, __provider: "y" }),
      ["b", "d"],
    );
    assert.deepEqual(changedKeys(undefined, { a: 1 }), []);
  });
});
