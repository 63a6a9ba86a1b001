import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { engineTempDir, removeEngineTempDirs, sweepEngineTempDirs } from "../../stacks/engine-tmp.js";

/** The id of a process that has exited (and been reaped), so `kill(pid, 0)` fails with ESRCH. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid as number;
}

describe("stacks/engine-tmp: the engine's private TMPDIR under cto's home", function () {
  let home: string;

  beforeEach(function () {
    home = mkdtempSync(path.join(tmpdir(), "cto-engine-tmp-"));
  });
  afterEach(function () {
    removeEngineTempDirs();
    rmSync(home, { recursive: true, force: true });
  });

  it("is <home>/run/tmp/<pid>, created 0700, the same directory on every call", function () {
    const dir = engineTempDir(home);
    assert.equal(dir, path.join(home, "run", "tmp", String(process.pid)));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(engineTempDir(home), dir);
  });

  it("removeEngineTempDirs deletes the directory and what the plugins left in it", function () {
    const dir = engineTempDir(home);
    writeFileSync(path.join(dir, "kubeconfig123"), "credentials", { mode: 0o600 });
    removeEngineTempDirs();
    assert.equal(existsSync(dir), false);
  });

  it("the sweep removes the directories of dead processes and keeps those of live ones", async function () {
    const root = path.join(home, "run", "tmp");
    const dead = path.join(root, String(await deadPid()));
    const live = path.join(root, String(process.ppid));
    const other = path.join(root, "not-a-pid");
    for (const d of [dead, live, other]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(dead, "kubeconfig1"), "x");
    sweepEngineTempDirs(home);
    assert.equal(existsSync(dead), false, "a dead run's directory is removed");
    assert.equal(existsSync(live), true, "a running process's directory stays");
    assert.equal(existsSync(other), true, "entries that are not process ids are left alone");
  });

  it("the first engineTempDir call sweeps dead runs' directories", async function () {
    const dead = path.join(home, "run", "tmp", String(await deadPid()));
    mkdirSync(dead, { recursive: true });
    engineTempDir(home);
    assert.equal(existsSync(dead), false);
  });
});
