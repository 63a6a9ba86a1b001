/**
 * Running the built `cto` the way a user does, measured: wall time and peak resident memory of
 * the process tree, from GNU time's `%M` (the kernel's ru_maxrss of the child and what it waited
 * for). Also the per-drill figures the report table shows (scripts/drills-report.mjs).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CTO_BIN } from "../helpers/cli.js";

export const GNU_TIME = "/usr/bin/time";

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak RSS in KiB (0 when GNU time is unavailable, which the drills treat as a failure). */
  maxRssKiB: number;
}

/** Runs `node cto ...args` under GNU time; kills it after `timeoutMs`. */
export function runMeasured(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<MeasuredRun> {
  const timeFile = path.join(opts.cwd, `.time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(GNU_TIME, ["-f", "%M", "-o", timeFile, process.execPath, CTO_BIN, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let maxRssKiB = 0;
      if (existsSync(timeFile)) {
        // GNU time writes "Command exited with non-zero status N" before the format line.
        const lines = readFileSync(timeFile, "utf8").trim().split("\n");
        maxRssKiB = Number.parseInt(lines[lines.length - 1] ?? "0", 10) || 0;
        rmSync(timeFile, { force: true });
      }
      resolve({ code, signal, stdout, stderr, wallMs: Date.now() - started, maxRssKiB });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Figures one drill records for the report: written to `$DRILLS_METRICS_DIR/<drill>.json` when set. */
export class DrillMetrics {
  private readonly figures: Record<string, number | string> = {};

  constructor(readonly drill: string) {}

  /** Keeps the largest value seen under `key`. */
  max(key: string, value: number): void {
    const previous = this.figures[key];
    if (typeof previous !== "number" || value > previous) this.figures[key] = value;
  }

  set(key: string, value: number | string): void {
    this.figures[key] = value;
  }

  write(): void {
    const dir = process.env.DRILLS_METRICS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${this.drill}.json`), `${JSON.stringify(this.figures, null, 2)}\n`);
  }
}
