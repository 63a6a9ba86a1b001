import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findOrphanedPlugins, processInfo } from "../../stacks/orphaned-plugins.js";

/** A fake `/proc/<pid>` with stat, cmdline and cwd. */
function fakeProcess(proc: string, p: { pid: number; ppid: number; pgid: number; cwd: string; argv: string[] }): void {
  const dir = path.join(proc, String(p.pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "stat"), `${p.pid} (some (odd) name) S ${p.ppid} ${p.pgid} ${p.pgid} 0 -1\n`);
  writeFileSync(path.join(dir, "cmdline"), `${p.argv.join("\0")}\0`);
  symlinkSync(p.cwd, path.join(dir, "cwd"));
}

describe("stacks/orphaned-plugins: plugin processes a killed engine left running", function () {
  let root: string;
  let proc: string;
  let work: string;
  const bin = "/opt/toolchain/bin";

  beforeEach(function () {
    root = mkdtempSync(path.join(tmpdir(), "cto-proc-"));
    proc = path.join(root, "proc");
    work = path.join(root, "workspaces", "acme-1234");
    mkdirSync(work, { recursive: true });
    mkdirSync(proc);
    fakeProcess(proc, { pid: 1, ppid: 0, pgid: 1, cwd: "/", argv: ["/sbin/init"] });
    // a live run: the engine and its plugins
    fakeProcess(proc, { pid: 100, ppid: 50, pgid: 100, cwd: work, argv: [`${bin}/pulumi`, "up", "--yes"] });
    fakeProcess(proc, { pid: 101, ppid: 100, pgid: 101, cwd: work, argv: [`${bin}/pulumi-resource-kubernetes`, "x"] });
    // a dead run's plugins, re-parented to init: the Node dynamic provider's shell wrapper and its node child
    fakeProcess(proc, {
      pid: 200,
      ppid: 1,
      pgid: 200,
      cwd: work,
      argv: ["/bin/sh", `${bin}/pulumi-resource-pulumi-nodejs`, "127.0.0.1:1"],
    });
    fakeProcess(proc, {
      pid: 201,
      ppid: 200,
      pgid: 200,
      cwd: work,
      argv: ["node", "/app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:1"],
    });
    fakeProcess(proc, { pid: 202, ppid: 1, pgid: 202, cwd: work, argv: [`${bin}/pulumi-resource-kubernetes`, "y"] });
    // an orphaned plugin of another project, and an orphan in our workspace that is no plugin
    fakeProcess(proc, { pid: 300, ppid: 1, pgid: 300, cwd: "/elsewhere", argv: [`${bin}/pulumi-resource-kubernetes`] });
    fakeProcess(proc, { pid: 301, ppid: 1, pgid: 301, cwd: work, argv: ["/usr/bin/vim", "Pulumi.yaml"] });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reads pid, parent, group, working directory and command line (names with parentheses too)", async function () {
    assert.deepEqual(await processInfo(201, proc), {
      pid: 201,
      ppid: 200,
      pgid: 200,
      cwd: work,
      cmdline: "node /app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js 127.0.0.1:1",
    });
    assert.equal(await processInfo(999, proc), undefined);
  });

  it("finds the plugin groups of dead engines in the workspace, and none of a live run", async function () {
    const found = await findOrphanedPlugins(work, proc);
    assert.deepEqual(found.map((p) => p.pgid).sort(), [200, 202]);
  });

  it("finds nothing where there is no /proc", async function () {
    assert.deepEqual(await findOrphanedPlugins(work, path.join(root, "no-proc")), []);
  });
});
