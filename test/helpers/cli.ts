/**
 * Runs the built `cto` binary as a subprocess, the way a user does. The binary is found relative
 * to this compiled file (`<outDir>/test/helpers/cli.js` → `<outDir>/cli/bin.js`), so tests work
 * from `dist/` and from any `dist-<name>/`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the built `cli/bin.js` next to these tests. */
export const CTO_BIN = fileURLToPath(new URL("../../cli/bin.js", import.meta.url));

export interface CtoResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  cwd: string;
  /** Added to the sandbox environment (see `Sandbox.env`). */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (stdin is never a terminal here). */
  input?: string;
  timeoutMs?: number;
}

/** Runs `node cto ...args`; resolves with the exit code and both streams. */
export function runCto(args: string[], options: RunOptions): Promise<CtoResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTO_BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * A temporary working directory with its own CTO_HOME, PULUMI_HOME and HOME, and an environment
 * without CI or CTO_* variables leaking in from the caller.
 */
export class Sandbox {
  readonly root: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix = "cto-cli-") {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    this.cwd = join(this.root, "work");
    const keep = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith("CTO_") && !k.startsWith("PULUMI_") && k !== "CI" && k !== "KUBECONFIG",
      ),
    );
    this.env = {
      ...keep,
      HOME: join(this.root, "home"),
      CTO_HOME: join(this.root, "home", ".cto"),
      PULUMI_HOME: join(this.root, "pulumi-home"),
      NO_COLOR: "1",
    };
    mkdirSync(this.cwd, { recursive: true });
    mkdirSync(this.env.HOME as string, { recursive: true });
  }

  run(args: string[], options: Omit<RunOptions, "cwd"> & { cwd?: string } = {}): Promise<CtoResult> {
    return runCto(args, { ...options, cwd: options.cwd ?? this.cwd, env: { ...this.env, ...options.env } });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
