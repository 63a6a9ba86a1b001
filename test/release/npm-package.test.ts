/**
 * The npm package as a newcomer gets it: the packed tarball installed globally into an empty
 * prefix, then `cto` run from that prefix's bin/.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BuildResult } from "../../scripts/release/build.js";
import { cleanEnv, releaseBuild, runProgram } from "./build-once.js";

describe("npm package", function () {
  this.timeout(30 * 60_000);
  let build: BuildResult;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  let cto: string;
  const root = mkdtempSync(path.join(tmpdir(), "cto-npm-"));

  before(async () => {
    build = await releaseBuild();
    prefix = path.join(root, "prefix");
    const home = path.join(root, "home");
    mkdirSync(home);
    // This Node's directory on PATH (npm's bin shim runs `node`), plus the usual system dirs.
    env = cleanEnv(home, { PATH: [path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter) });
    // npm runs with the developer's own environment and npm config (registry, CA file, cache);
    // only cto itself runs in the clean environment.
    const install = await runProgram(
      "npm",
      ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", build.npmTarball!],
      {
        cwd: root,
        env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` },
        timeoutMs: 15 * 60_000,
      },
    );
    assert.equal(install.code, 0, `npm install -g failed:\n${install.stdout}\n${install.stderr}`);
    process.stderr.write(`      npm install --global of the tarball took ${(install.ms / 1000).toFixed(1)} s\n`);
    cto = path.join(prefix, "bin", "cto");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("ships the compiled CLI, profiles, templates and the example; no tests, sources or dev files", () => {
    const entries = execFileSync("tar", ["-tzf", build.npmTarball!], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const required of [
      "package/package.json",
      "package/dist/cli/bin.js",
      "package/dist/cli/help-texts.json",
      "package/profiles/minimal.yaml",
      "package/profiles/versions.yaml",
      "package/templates/agent-roles.yaml",
      "package/examples/cto.yaml",
      "package/README.md",
      "package/CHANGELOG.md",
    ]) {
      assert.ok(entries.includes(required), `the tarball lacks ${required}`);
    }
    assert.ok(
      entries.some((e) => e.startsWith("package/templates/") && e.endsWith(".hbs")),
      "templates",
    );
    const unwanted = entries.filter((e) =>
      /^package\/(dist\/(test|scripts|bench)\/|test\/|scripts\/|toolchain\/|\.github\/|\.ci\/)|\.map$|(?<!\.d)\.ts$/.test(
        e,
      ),
    );
    assert.deepEqual(unwanted, [], "dev files in the npm package");
  });

  it("cto --version prints the package version", async () => {
    const result = await runProgram(cto, ["--version"], { cwd: root, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), build.version);
  });

  it("cto --help comes from the recorded help texts and is what commander prints", async () => {
    const installed = path.join(prefix, "lib", "node_modules", "cto", "dist", "cli", "help-texts.json");
    const texts = JSON.parse(readFileSync(installed, "utf8")) as { texts: string[]; requests: Record<string, number> };
    const marked = path.join(root, "help-texts-marked.json");
    writeFileSync(marked, JSON.stringify({ ...texts, texts: texts.texts.map((_, i) => `RECORDED ${i}\n`) }));
    const served = await runProgram(cto, ["--help"], { cwd: root, env: { ...env, CTO_HELP_TEXTS: marked } });
    assert.equal(
      served.stdout,
      `RECORDED ${texts.requests[JSON.stringify(["--help"])]}\n`,
      "the installed texts are served",
    );
    const recorded = await runProgram(cto, ["--help"], { cwd: root, env });
    const live = await runProgram(cto, ["--help"], { cwd: root, env: { ...env, CTO_NO_HELP_CACHE: "1" } });
    assert.equal(live.code, 0, live.stderr);
    assert.equal(recorded.stdout, live.stdout);
    assert.match(recorded.stdout, /^Usage: cto /);
  });

  it("cto profiles list shows the three profiles", async () => {
    const result = await runProgram(cto, ["profiles", "list"], { cwd: root, env });
    assert.equal(result.code, 0, result.stderr);
    for (const name of ["minimal", "standard", "production"]) assert.match(result.stdout, new RegExp(`\\b${name}\\b`));
  });

  it("cto config validate accepts the example shipped in the package", async () => {
    const example = path.join(prefix, "lib", "node_modules", "cto", "examples", "cto.yaml");
    const result = await runProgram(cto, ["config", "validate", "-f", example], { cwd: root, env });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  });
});
