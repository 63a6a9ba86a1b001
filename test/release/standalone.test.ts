/**
 * The standalone executable of this machine's platform (linux-x64 here and in CI; darwin on a Mac
 * runner), unpacked into an empty directory and run the way a newcomer
 * does after downloading it: no node_modules anywhere above it, no Node.js on PATH, no NODE_* or
 * CTO_* variables.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BuildResult } from "../../scripts/release/build.js";
import { hostTargetId } from "../../scripts/release/targets.js";
import { cleanEnv, releaseBuild, runProgram } from "./build-once.js";

/** True when `dir` or a directory above it has a node_modules folder. */
function nodeModulesAbove(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "node_modules"))) return path.join(d, "node_modules");
    if (path.dirname(d) === d) return undefined;
  }
}

const host = hostTargetId();

describe(`standalone executable (${host ?? "no target for this machine"})`, function () {
  this.timeout(30 * 60_000);
  let build: BuildResult;
  let exe: string;
  let appDir: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const root = mkdtempSync(path.join(tmpdir(), "cto-standalone-"));

  before(async function () {
    assert.ok(
      host && !host.startsWith("win"),
      `cto ships no tar.gz executable for ${process.platform}-${process.arch}`,
    );
    build = await releaseBuild();
    const archive = build.archives.find((a) => a.target.id === host);
    assert.ok(archive, `no ${host} archive`);
    if (archive.signed === "unsigned") throw new Error(`${host} was built without codesign and cannot run here`);
    execFileSync("tar", ["-xzf", archive.file, "-C", root]);
    appDir = path.join(root, `cto-${build.version}-${host}`);
    exe = path.join(appDir, "cto");
    work = path.join(root, "work");
    mkdirSync(work);
    const emptyBin = path.join(root, "empty-bin");
    mkdirSync(emptyBin);
    env = cleanEnv(path.join(root, "home"), { PATH: emptyBin });
    mkdirSync(env.HOME!, { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("runs from a directory with no node_modules above it and no node on PATH", async () => {
    // The only node_modules is the archive's own (the Pulumi SDKs, see docs/releasing.md).
    assert.equal(nodeModulesAbove(work), undefined);
    assert.equal(nodeModulesAbove(path.dirname(appDir)), undefined);
    const result = await runProgram(exe, ["--version"], { cwd: work, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), build.version);
    assert.equal(result.stderr, "", "no experimental-feature warning or other noise");
    process.stderr.write(`      cto --version (standalone) took ${result.ms.toFixed(0)} ms\n`);
  });

  it("cto profiles list shows the three profiles from the archive's profiles/", async () => {
    const result = await runProgram(exe, ["profiles", "list"], { cwd: work, env });
    assert.equal(result.code, 0, result.stderr);
    for (const name of ["minimal", "standard", "production"]) assert.match(result.stdout, new RegExp(`\\b${name}\\b`));
  });

  it("cto config validate accepts the bundled example", async () => {
    const example = path.join(appDir, "examples", "cto.yaml");
    const result = await runProgram(exe, ["config", "validate", "-f", example], { cwd: work, env });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  });

  it("cto version prints the CLI version, the pinned Pulumi version and the component versions", async () => {
    const result = await runProgram(exe, ["version", "--json"], { cwd: work, env });
    assert.equal(result.code, 0, result.stderr);
    const info = JSON.parse(result.stdout) as { cto: string; pulumi: { cli: string }; releases: object };
    assert.equal(info.cto, build.version);
    assert.match(info.pulumi.cli, /^\d+\.\d+\.\d+$/);
    assert.ok(Object.keys(info.releases).length > 0, "component versions per platform release");
  });

  it("cto config validate on a broken file exits 2 with the file named (errors work in the bundle)", async () => {
    const bad = path.join(work, "bad.yaml");
    execFileSync("sh", ["-c", `printf 'profile: [\\n' > '${bad}'`]);
    const result = await runProgram(exe, ["config", "validate", "-f", bad], { cwd: work, env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /bad\.yaml/);
  });
});
