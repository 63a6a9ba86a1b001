/**
 * Small measuring helpers for the simulated-cluster benchmarks: run the built `cto` with wall
 * time and the peak resident memory of its process (VmHWM from /proc, sampled until it exits),
 * and medians.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The built `cli/bin.js` next to this compiled file (`<outDir>/bench/` → `<outDir>/cli/bin.js`). */
export const CTO_BIN = fileURLToPath(new URL("../cli/bin.js", import.meta.url));

export interface Measured {
  code: number | null;
  seconds: number;
  /** Peak resident set of the cto process (the Node process that runs the Pulumi program), MiB. */
  peakMiB: number;
  stdout: string;
  stderr: string;
}

function vmHwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `node cto ...args` in `cwd` with `env`, measuring wall time and peak memory. */
export function measureCto(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Measured> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTO_BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const sample = () => {
      const v = child.pid ? vmHwmKiB(child.pid) : undefined;
      if (v && v > peak) peak = v;
    };
    const timer = setInterval(sample, 50);
    child.on("error", reject);
    child.on("exit", () => sample());
    child.on("close", (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, seconds, peakMiB: Math.round(peak / 1024), stdout, stderr });
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Fails loudly: a benchmark of a failed command measures nothing. */
export function check(what: string, m: Measured): Measured {
  if (m.code !== 0) throw new Error(`${what} exited ${m.code}\n${m.stdout}\n${m.stderr}`);
  return m;
}
