/**
 * Profile requirements come from the plans (issue 18 item 1): for every profile, every mix of the
 * features it allows and every cluster kind that runs on this machine, the figure `cto profiles`
 * states is at least what the plan requests plus the cluster kind's system share; the plan's own
 * requirement (what `cto doctor` checks) never exceeds the statement for the default agents; and
 * a machine of exactly the stated size passes the machine checks and the capacity check alike.
 */
import assert from "node:assert/strict";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import { GiB, parseMemory } from "../../profiles/quantity.js";
import { planRequests } from "../../profiles/requests.js";
import { SYSTEM_SHARE } from "../../profiles/requirements.js";
import { resolvePlan } from "../../profiles/resolve.js";
import { LOCAL_CLUSTER_KINDS, standInConfig, statedRequirements } from "../../profiles/statement.js";
import { capacityCheck } from "../../stacks/preflight/checks/cluster.js";
import { cpuCheck, diskCheck, memoryCheck } from "../../stacks/preflight/checks/resources.js";
import { fakeProbes, runCheck } from "./preflight-fixtures.js";

/** Every subset of `items`. */
function subsets<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((s) => [...s, item])], [[]]);
}

describe("profile requirements come from the plans", function () {
  this.timeout(120_000);
  let catalog: Catalog;
  before(async () => (catalog = await loadCatalog()));

  it("states at least the plan's requests plus the system share, for every profile × allowed-feature mix × cluster kind", async () => {
    let plans = 0;
    for (const profile of Object.keys(catalog.profiles)) {
      const allowed = catalog.profiles[profile]?.allowed_features ?? [];
      for (const kind of LOCAL_CLUSTER_KINDS) {
        const stated = await statedRequirements(catalog, profile, kind);
        const share = SYSTEM_SHARE[kind];
        for (const features of subsets(allowed)) {
          // High availability needs three nodes: only the simulated stand-in has them here.
          if (features.includes("high_availability") && kind !== "simulated") continue;
          const { plan } = await resolvePlan(
            standInConfig(catalog, profile, kind, features),
            { environment: "dev", home: "/nonexistent-cto-home", env: {} },
            catalog,
          );
          const r = planRequests(plan);
          const what = `${profile} on ${kind} with [${features.join(", ")}]`;
          assert.ok(stated.cpu >= r.cpu + share.cpu - 1e-9, `${what}: CPU ${stated.cpu} < ${r.cpu} + ${share.cpu}`);
          assert.ok(
            stated.memoryGiB * GiB >= r.memoryBytes + parseMemory(share.memory),
            `${what}: memory ${stated.memoryGiB} GiB < requests ${r.memoryBytes / GiB} GiB + ${share.memory}`,
          );
          assert.ok(
            stated.diskGiB * GiB >= r.diskBytes + parseMemory(share.disk),
            `${what}: disk ${stated.diskGiB} GiB < ${r.diskBytes / GiB} GiB + ${share.disk}`,
          );
          // One number: what doctor checks for this plan is what the profile states.
          assert.deepEqual(plan.profile.requirements, stated, what);
          assert.equal(r.unestimated.length, 0, `${what}: no request estimate for ${r.unestimated.join(", ")}`);
          plans++;
        }
      }
    }
    assert.ok(plans > 100, `only ${plans} plans checked`);
  });

  it("a machine of exactly the stated size passes the CPU, memory, disk and capacity checks: never ✓ then ✗", async () => {
    for (const profile of Object.keys(catalog.profiles)) {
      for (const kind of ["kind", "k3s"] as const) {
        const { plan } = await resolvePlan(
          standInConfig(catalog, profile, kind),
          { environment: "dev", home: "/nonexistent-cto-home", env: {} },
          catalog,
        );
        const need = plan.profile.requirements;
        const exactly = fakeProbes({
          cpuCount: () => need.cpu,
          memInfo: async () => ({ totalBytes: need.memoryGiB * GiB, availableBytes: need.memoryGiB * GiB }),
          diskFree: async (dir) => ({ path: dir, freeBytes: need.diskGiB * GiB, totalBytes: need.diskGiB * GiB }),
        });
        for (const check of [cpuCheck, memoryCheck, diskCheck, capacityCheck]) {
          const r = await runCheck(check, plan, exactly);
          assert.equal(r.status, "ok", `${profile} on ${kind}, ${check.id}: ${r.reason}`);
        }
        // One core or one GiB less fails the machine check itself, not only the capacity check.
        const lessCpu = await runCheck(cpuCheck, plan, fakeProbes({ cpuCount: () => need.cpu - 1 }));
        assert.equal(lessCpu.status, "fail", `${profile} on ${kind}: ${lessCpu.reason}`);
        assert.match(lessCpu.reason, new RegExp(`the ${profile} profile on ${kind} needs ${need.cpu}$`));
      }
    }
  });
});
