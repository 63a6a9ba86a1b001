import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applyFixes } from "../../stacks/preflight/fix.js";
import { realProbes } from "../../stacks/preflight/probes.js";
import type { DoctorReport } from "../../stacks/preflight/types.js";

function reportWith(...ids: string[]): DoctorReport {
  return {
    schemaVersion: 1,
    ok: false,
    environment: "dev",
    profile: "minimal",
    provider: "kind",
    summary: { ok: 0, failed: ids.length, warnings: 0, skipped: 0, criticalFailures: ids.length },
    checks: ids.map((id) => ({
      id,
      name: id,
      status: "fail" as const,
      critical: true,
      reason: `${id} broken`,
      fix: `fix ${id} with sudo thing`,
    })),
  };
}

describe("preflight: --fix", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-fix-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** A toolchain cache whose `pulumi` is a script printing the given version. */
  async function toolchain(version: string): Promise<void> {
    const bin = path.join(tmp, "cache", "abc", "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, "pulumi"), `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
    await writeFile(path.join(bin, "pulumi-resource-kubernetes"), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(path.join(bin, "kwokctl"), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(path.join(tmp, "cache", "current"), `${bin}\n`);
  }

  it("copies the pinned Pulumi CLI and its plugins from the toolchain cache into ~/.cto/bin", async () => {
    await toolchain("3.259.0");
    const probes = realProbes({
      home: tmp,
      env: { PATH: "/usr/bin:/bin", CTO_TOOLCHAIN_CACHE: path.join(tmp, "cache") },
    });
    const actions = await applyFixes(reportWith("tool.pulumi", "tool.kind"), { probes });
    assert.equal(actions[0]?.outcome, "installed", actions[0]?.message);
    const bin = path.join(tmp, ".cto", "bin");
    assert.deepEqual((await readdir(bin)).sort(), ["pulumi", "pulumi-resource-kubernetes"]);
    assert.equal((await stat(path.join(bin, "pulumi"))).mode & 0o777, 0o755);
    assert.deepEqual(actions[1], {
      id: "tool.kind",
      name: "tool.kind",
      outcome: "manual",
      message: "tool.kind broken",
      instruction: "fix tool.kind with sudo thing",
    });
  });

  it("without a usable toolchain copy it prints the installer command instead", async () => {
    await toolchain("3.100.0");
    const probes = realProbes({
      home: tmp,
      env: { PATH: "/usr/bin:/bin", CTO_TOOLCHAIN_CACHE: path.join(tmp, "cache") },
    });
    const [a] = await applyFixes(reportWith("tool.pulumi"), { probes });
    assert.equal(a?.outcome, "manual");
    assert.match(a?.instruction ?? "", /get\.pulumi\.com .*--version 3\.259\.0/);
    await assert.rejects(stat(path.join(tmp, ".cto", "bin", "pulumi")));
  });
});
