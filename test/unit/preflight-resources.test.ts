import { strict as assert } from "node:assert";
import { cpuCheck, diskCheck, memoryCheck } from "../../stacks/preflight/checks/resources.js";
import { fakeProbes, GiB, makePlan, runCheck } from "./preflight-fixtures.js";

const standard = makePlan({
  profile: {
    name: "standard",
    description: "",
    estimatedInstallMinutes: 10,
    requirements: { memoryGiB: 16, cpu: 4, diskGiB: 50, clusterKind: "kind" },
  },
});
const mem = (gib: number) =>
  fakeProbes({ memInfo: async () => ({ totalBytes: gib * GiB, availableBytes: gib * GiB }) });

describe("preflight: machine resources against the profile", () => {
  it("memory below the profile fails with both figures and a smaller profile as the fix", async () => {
    const r = await runCheck(memoryCheck, standard, mem(7.6));
    assert.equal(r.status, "fail");
    assert.equal(r.reason, "7.6 GiB total; the standard profile on kind needs 16 GiB");
    assert.match(r.fix ?? "", /--profile minimal/);
  });
  it("memory at or above the requirement passes; below it fails (a computed figure: no tolerance)", async () => {
    assert.equal((await runCheck(memoryCheck, standard, mem(23.5))).status, "ok");
    assert.equal((await runCheck(memoryCheck, standard, mem(16))).status, "ok");
    assert.equal((await runCheck(memoryCheck, standard, mem(15.5))).status, "fail");
  });
  it("CPU and free disk below the profile fail", async () => {
    const cpu = await runCheck(cpuCheck, standard, fakeProbes({ cpuCount: () => 2 }));
    assert.deepEqual([cpu.status, cpu.reason], ["fail", "2 CPU; the standard profile on kind needs 4"]);
    assert.equal((await runCheck(cpuCheck, standard, fakeProbes({ cpuCount: () => 8 }))).status, "ok");
    const disk = await runCheck(
      diskCheck,
      standard,
      fakeProbes({ diskFree: async () => ({ path: "/", freeBytes: 12 * GiB, totalBytes: 100 * GiB }) }),
    );
    assert.equal(disk.status, "fail");
    assert.equal(disk.reason, "12 GiB free at / (for /var/lib/docker); the standard profile on kind needs 50 GiB");
  });
  it("measures disk where the provider keeps its data", async () => {
    const asked: string[] = [];
    const probes = fakeProbes({
      env: { KWOK_WORKDIR: "/data/kwok" },
      diskFree: async (dir) => {
        asked.push(dir);
        return { path: dir, freeBytes: 100 * GiB, totalBytes: 100 * GiB };
      },
    });
    await runCheck(diskCheck, makePlan({ cluster: { provider: "k3s" } }), probes);
    await runCheck(diskCheck, makePlan({ cluster: { provider: "simulated" } }), probes);
    assert.deepEqual(asked, ["/var/lib/rancher", "/data/kwok"]);
  });
  it("only a warning for the simulated provider, whose nodes are fake", async () => {
    const r = await runCheck(memoryCheck, makePlan({ ...standard, cluster: { provider: "simulated" } }), mem(4));
    assert.deepEqual([r.status, r.critical], ["warn", false]);
  });
  it("does not apply to existing clusters or multi-node k3s", () => {
    const existing = makePlan({ cluster: { provider: "existing" } });
    const remote = makePlan({
      cluster: { provider: "k3s", nodes: [{ host: "h", user: "root", port: 22, role: "server", arch: "amd64" }] },
    });
    for (const c of [memoryCheck, cpuCheck, diskCheck]) {
      assert.equal(c.appliesTo(existing), false);
      assert.equal(c.appliesTo(remote), false);
      assert.equal(c.appliesTo(makePlan({ cluster: { provider: "minikube" } })), true);
    }
  });
});
