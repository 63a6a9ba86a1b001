/**
 * k3s comes as the release's single binary, never through its install script: `cto doctor --fix`
 * for a single-node k3s plan downloads it from the release directory (here a local stand-in through
 * CTO_TOOLS_MIRROR), checks it against the release's sha256sum-<arch>.txt, installs it into
 * ~/.cto/bin, and the k3s check then finds it at the plan's version.
 */
import { strict as assert } from "node:assert";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { hostK3sChecks, k3sCheck } from "../../stacks/preflight/checks/tools.js";
import { applyFixes } from "../../stacks/preflight/fix.js";
import { realProbes } from "../../stacks/preflight/probes.js";
import type { Check, DoctorReport } from "../../stacks/preflight/types.js";
import { checkedHostK3s, hostK3sPath } from "../../stacks/tools/host-k3s.js";
import { TOOLS, installHostK3s, installTools, loadToolPins } from "../../stacks/tools/index.js";
import { startToolServer, type ToolServer } from "../helpers/tool-server.js";
import { makePlan, runCheck } from "./preflight-fixtures.js";

const report = (id: string): DoctorReport => ({
  schemaVersion: 1,
  ok: false,
  environment: "dev",
  profile: "minimal",
  provider: "k3s",
  summary: { ok: 0, failed: 1, warnings: 0, skipped: 0, criticalFailures: 1 },
  checks: [{ id, name: id, status: "fail", critical: true, reason: `${id} broken`, fix: `fix ${id}` }],
});

describe("k3s binary install", function () {
  this.timeout(30_000);
  let server: ToolServer;
  let tmp: string;
  before(async function () {
    if (process.platform !== "linux") this.skip(); // k3s is released for Linux only
    server = await startToolServer();
  });
  after(async () => server?.close());
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-k3s-tool-"));
    server.faults.clear();
  });
  afterEach(async () => rm(tmp, { recursive: true, force: true }));

  const tag = () => `v${server.versions.k3s}`;
  const env = () => ({ PATH: "/usr/bin:/bin", ...server.env() });

  it("doctor --fix downloads the plan's k3s, checked against sha256sum-<arch>.txt; the check then passes", async () => {
    const probes = realProbes({ home: tmp, env: env() });
    const tools = await loadToolPins("0.1.0", env(), tag());
    assert.equal(tools.versions.k3s, server.versions.k3s);
    const [action] = await applyFixes(report("tool.k3s"), { probes, tools });
    assert.equal(action?.outcome, "installed", JSON.stringify(action));
    const receipts = JSON.parse(await readFile(path.join(tmp, ".cto", "tools.json"), "utf8"));
    const asset = TOOLS.k3s.asset(server.versions.k3s, server.platform);
    const sums = TOOLS.k3s.checksumFile(server.versions.k3s, server.platform);
    assert.equal(receipts.k3s.url, `${server.url}/k3s/${server.versions.k3s}/linux-${server.platform.arch}/${asset}`);
    assert.match(receipts.k3s.checkedAgainst.join(" "), new RegExp(sums.replace(/\./g, "\\.")));
    const plan = makePlan({ cluster: { provider: "k3s", version: tag() } });
    const check = await runCheck(k3sCheck, plan, probes, { ctoHome: path.join(tmp, ".cto") });
    assert.deepEqual([check.status, check.reason], ["ok", `k3s ${tag()} at ${path.join(tmp, ".cto", "bin", "k3s")}`]);
  });

  it("a tampered k3s is refused with both digests and nothing lands in ~/.cto/bin", async () => {
    server.faults.set(TOOLS.k3s.asset(server.versions.k3s, server.platform), { tamper: true });
    const [r] = await installTools(["k3s"], await loadToolPins("0.1.0", env(), tag()), {
      ctoHome: path.join(tmp, ".cto"),
      env: env(),
    });
    assert.equal(r?.outcome, "failed");
    assert.match(r?.message ?? "", /SHA-256 mismatch for .*\/k3s: expected [0-9a-f]{64} .*got [0-9a-f]{64}/);
    await assert.rejects(stat(path.join(tmp, ".cto", "bin", "k3s")));
  });

  it("is not offered for macOS, and the check wants exactly the plan's version", async () => {
    const before = server.downloads().length;
    const [mac] = await installTools(["k3s"], await loadToolPins("0.1.0", env(), tag()), {
      ctoHome: path.join(tmp, ".cto"),
      env: env(),
      platform: { os: "darwin", arch: "arm64" },
    });
    assert.equal(mac?.outcome, "failed");
    assert.match(mac?.message ?? "", /released for linux only, not darwin/);
    assert.equal(server.downloads().length, before, "nothing was fetched");
    const other = await runCheck(
      k3sCheck,
      makePlan({ cluster: { provider: "k3s", version: "v1.99.0+k3s1" } }),
      realProbes({ home: tmp, env: { PATH: "/nonexistent" } }),
    );
    assert.equal(other.status, "fail");
    assert.match(other.fix ?? "", /cto doctor --fix {3}\(downloads k3s v1\.99\.0\+k3s1 into .*SHA-256 checked/);
  });

  it("SSH hosts: --fix downloads the linux-<arch> binary into ~/.cto/tools/k3s, not bin; the check and the deploy re-hash it", async () => {
    const arch = server.platform.arch;
    const probes = realProbes({ home: tmp, env: env() });
    const ctoHome = path.join(tmp, ".cto");
    const plan = makePlan({
      cluster: {
        provider: "k3s",
        version: tag(),
        nodes: [{ host: "h", user: "root", port: 22, role: "server", arch }],
      },
    });
    const [check] = hostK3sChecks(plan);
    assert.equal(check?.id, `tool.k3s-host-${arch}`);
    const missing = await runCheck(check as Check, plan, probes, { ctoHome });
    assert.equal(missing.status, "fail");
    assert.match(missing.fix ?? "", /cto doctor --fix {3}\(downloads k3s v.* for linux-.* into .*tools\/k3s\//);
    assert.throws(
      () => checkedHostK3s(ctoHome, tag(), plan.cluster.provider === "k3s" ? plan.cluster.nodes : []),
      /run cto doctor --fix|is missing/,
    );

    const [action] = await applyFixes(report(`tool.k3s-host-${arch}`), {
      probes,
      tools: await loadToolPins("0.1.0", env(), tag()),
    });
    assert.equal(action?.outcome, "installed", JSON.stringify(action));
    const file = hostK3sPath(ctoHome, tag(), arch);
    assert.equal(file, path.join(ctoHome, "tools", "k3s", server.versions.k3s, `linux-${arch}`, "k3s"));
    assert.equal((await stat(file)).mode & 0o777, 0o755);
    await assert.rejects(stat(path.join(ctoHome, "bin", "k3s")), "this machine's bin is untouched");
    const served = [...server.files.values()].find((f) => f.tool === "k3s");
    const receipts = JSON.parse(await readFile(path.join(ctoHome, "tools.json"), "utf8"));
    assert.equal(receipts[`k3s-linux-${arch}`].sha256, served?.sha256);
    const ok = await runCheck(check as Check, plan, probes, { ctoHome });
    assert.equal(ok.status, "ok", ok.reason);
    assert.deepEqual(checkedHostK3s(ctoHome, tag(), [{ arch }]), { [arch]: { path: file, sha256: served?.sha256 } });

    // A file changed after its check is not deployed.
    await writeFile(file, "changed\n");
    const changed = await runCheck(check as Check, plan, probes, { ctoHome });
    assert.match(changed.reason, /changed since it was checked/);
    assert.throws(() => checkedHostK3s(ctoHome, tag(), [{ arch }]), /changed since it was checked/);
  });

  it("SSH hosts: a tampered download for the hosts installs nothing", async () => {
    const arch = server.platform.arch;
    server.faults.set(TOOLS.k3s.asset(server.versions.k3s, server.platform), { tamper: true });
    const pins = await loadToolPins("0.1.0", env(), tag());
    const r = await installHostK3s(arch, pins.versions.k3s, {
      ctoHome: path.join(tmp, ".cto"),
      env: env(),
      pins: pins.digests,
    });
    assert.equal(r.outcome, "failed");
    assert.match(r.message, /SHA-256 mismatch for .*\/k3s: expected [0-9a-f]{64} .*got [0-9a-f]{64}/);
    assert.match(r.instruction ?? "", /into .*tools\/k3s\//);
    await assert.rejects(stat(hostK3sPath(path.join(tmp, ".cto"), tag(), arch)));
  });
});
