/**
 * One release build per test run, shared by every test file in test/release (mocha loads them in
 * one process): building five executables and archives takes minutes, so it happens once, into a
 * temporary directory, with a formula base URL of the example organisation.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { packageRoot } from "../../config/paths.js";
import { archiveName } from "../../scripts/release/archive.js";
import { buildRelease, type BuildResult } from "../../scripts/release/build.js";
import { allTargets } from "../../scripts/release/targets.js";

/** The download prefix the formula under test must use. */
export const TEST_BASE_URL = "https://downloads.acme.example/cto/releases";

let pending: Promise<BuildResult> | undefined;

/**
 * The shared release build (started by the first caller). For iterating on these tests only,
 * `CTO_RELEASE_TEST_REUSE=<dir>` reuses a finished build in `<dir>` (made with
 * CTO_RELEASE_BASE_URL set to TEST_BASE_URL) instead of building; CI never sets it.
 */
export function releaseBuild(): Promise<BuildResult> {
  const reuse = process.env.CTO_RELEASE_TEST_REUSE;
  if (reuse) {
    pending ??= Promise.resolve(existingBuild(packageRoot(), path.resolve(reuse)));
    return pending;
  }
  if (pending) return pending;
  const outDir = mkdtempSync(path.join(tmpdir(), "cto-release-test-"));
  // About 250 MB of archives: removed when the test process ends.
  process.once("exit", () => rmSync(outDir, { recursive: true, force: true }));
  pending = buildRelease({
    root: packageRoot(),
    outDir,
    targetIds: [],
    skipNpm: false,
    env: { ...process.env, CTO_RELEASE_BASE_URL: TEST_BASE_URL },
    log: (line) => void process.stderr.write(`      ${line}\n`),
  });
  return pending;
}

/** The BuildResult of a finished build in `dir`; every file must be there. */
function existingBuild(root: string, dir: string): BuildResult {
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  const need = (file: string): string => {
    if (!existsSync(file)) throw new Error(`CTO_RELEASE_TEST_REUSE: ${file} is missing`);
    return file;
  };
  return {
    version,
    npmTarball: need(path.join(dir, `cto-${version}.tgz`)),
    archives: allTargets(root).map((target) => ({
      target,
      file: need(path.join(dir, archiveName(version, target))),
      signed: target.os === "darwin" ? "unsigned" : "not-needed",
    })),
    checksums: need(path.join(dir, "SHA256SUMS")),
    formula: need(path.join(dir, "Formula", "cto.rb")),
    baseUrlSource: "env",
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program to completion (never through a shell). */
export function runProgram(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A minimal environment: no NODE_*, no CTO_* from the caller, a private HOME and CTO_HOME. */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: home,
    CTO_HOME: path.join(home, ".cto"),
    PULUMI_HOME: path.join(home, ".pulumi"),
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    ...extra,
  };
}
