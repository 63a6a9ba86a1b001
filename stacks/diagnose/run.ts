/**
 * Running a local command without a shell, with a time limit and bounded output.
 *
 * Every probe that shells out (tool versions, kubectl, ssh, ss) goes through a `CommandRunner`
 * so tests can inject what a machine "has" without touching the real one.
 */
import { spawn } from "node:child_process";

/** What running a command produced. `found: false` means the executable does not exist. */
export interface CommandResult {
  found: boolean;
  /** Exit code; null when killed (time limit) or not started. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  /** Kill the command after this long. Default 10 s. */
  timeoutMs?: number;
  /** Environment for the child; default the current process's. */
  env?: NodeJS.ProcessEnv;
}

/** Runs `cmd args...` (no shell) and reports what happened; never throws for a failing command. */
export type CommandRunner = (cmd: string, args: string[], options?: RunOptions) => Promise<CommandResult>;

/** Output beyond this is dropped: probes need the first lines, not megabytes. */
const MAX_OUTPUT = 4 * 1024 * 1024;

/** The real runner: `child_process.spawn` with stdin closed. */
export const runCommand: CommandRunner = (cmd, args, options = {}) =>
  new Promise((resolve) => {
    const timeoutMs = options.timeoutMs ?? 10_000;
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const finish = (result: CommandResult): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(result);
      }
    };
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk;
    });
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      const missing = err.code === "ENOENT" || err.code === "EACCES";
      finish({ found: !missing, code: null, stdout, stderr: stderr || err.message, timedOut });
    });
    child.on("close", (code) => finish({ found: true, code, stdout, stderr, timedOut }));
  });
