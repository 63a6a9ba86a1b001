/**
 * Small measuring helpers for the simulated-cluster benchmarks: run the built `cto` with wall
 * time, the peak resident memory of its process (VmHWM from /proc, sampled until it exits), the
 * peak summed resident memory of its whole process tree (engine and provider plugins), the CPU
 * time of that tree (GNU time), the load average around the run, and medians.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The built `cli/bin.js` next to this compiled file (`<outDir>/bench/` → `<outDir>/cli/bin.js`). */
export const CTO_BIN = fileURLToPath(new URL("../cli/bin.js", import.meta.url));

export interface Measured {
  code: number | null;
  seconds: number;
  /** Peak resident set of the cto process (the Node process that runs the Pulumi program), MiB. */
  peakMiB: number;
  /**
   * Peak of the summed resident sets of cto and its descendants (the `pulumi` engine, language
   * host, kubernetes and dynamic-provider plugins, short `pulumi config`/`stack` calls), MiB,
   * sampled every 250 ms. The simulated cluster's own processes are left out (`CLUSTER_COMMANDS`).
   */
  treePeakMiB: number;
  /**
   * User + system CPU seconds of cto and every descendant it (transitively) waited for — the
   * engine and plugins, not kwok's detached cluster — from GNU time; far less sensitive to the
   * machine's load than wall time. Undefined without `/usr/bin/time`.
   */
  cpuSeconds?: number;
  /** 1-minute load average when the command started and when it ended. */
  load: { start: number; end: number };
  stdout: string;
  stderr: string;
}

function statusKiB(pid: number, field: "VmHWM" | "VmRSS"): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The simulated cluster's processes (kernel command names, cut at 15 characters). kwokctl starts
 * them as its children and they leave the tree when it exits, so they would count during cluster
 * creation only; they are the cluster's cost, not cto's, and are left out of the tree's sum.
 */
const CLUSTER_COMMANDS = new Set(["etcd", "kube-apiserver", "kube-controller", "kube-scheduler", "kwok-controller"]);

/** `pid` and its live descendants, from the parent ids in /proc/<pid>/stat; cluster processes left out. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (CLUSTER_COMMANDS.has(comm)) continue;
      // Fields after the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while /proc was being read.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.pop()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

const GNU_TIME = "/usr/bin/time";

/** The first child of `pid` (cto under GNU time), once it exists. */
function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(" ")[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `node cto ...args` in `cwd` with `env` (under GNU time when present), measuring wall time,
 * CPU time, peak memory and the load.
 */
export function measureCto(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  /** Another build's `cli/bin.js` (a before/after comparison); default this build's. */
  bin = CTO_BIN,
  /** Called with each line of stdout and the seconds since the start when it arrived. */
  onLine?: (line: string, seconds: number) => void,
): Promise<Measured> {
  const useTime = existsSync(GNU_TIME);
  const timeDir = mkdtempSync(path.join(os.tmpdir(), "cto-bench-time-"));
  const timeFile = path.join(timeDir, "time");
  const node = [process.execPath, bin, ...args];
  const [cmd, ...argv] = useTime ? [GNU_TIME, "-f", "%U %S", "-o", timeFile, ...node] : node;
  const loadStart = os.loadavg()[0]!;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let ctoPid = useTime ? undefined : child.pid;
    let stdout = "";
    let stderr = "";
    let peak = 0;
    let treePeak = 0;
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (!onLine) return;
      const at = Number(process.hrtime.bigint() - started) / 1e9;
      const lines = (pending + d).split("\n");
      pending = lines.pop()!;
      for (const line of lines) onLine(line, at);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    // VmHWM is the kernel's own high-water mark: sampling it only has to happen before exit.
    const sample = () => {
      if (ctoPid === undefined && child.pid) ctoPid = firstChild(child.pid);
      const v = ctoPid ? statusKiB(ctoPid, "VmHWM") : undefined;
      if (v && v > peak) peak = v;
    };
    // The tree's sum has no high-water mark: sample current RSS (a /proc scan, so less often).
    const sampleTree = () => {
      if (!ctoPid) return;
      const sum = processTree(ctoPid).reduce((s, p) => s + (statusKiB(p, "VmRSS") ?? 0), 0);
      if (sum > treePeak) treePeak = sum;
    };
    const timer = setInterval(sample, 50);
    const treeTimer = setInterval(sampleTree, 250);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      clearInterval(treeTimer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let cpuSeconds: number | undefined;
      if (useTime) {
        const [user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
        cpuSeconds = (user ?? 0) + (sys ?? 0);
      }
      rmSync(timeDir, { recursive: true, force: true });
      resolve({
        code,
        seconds,
        cpuSeconds,
        peakMiB: Math.round(peak / 1024),
        treePeakMiB: Math.round(treePeak / 1024),
        load: { start: loadStart, end: os.loadavg()[0]! },
        stdout,
        stderr,
      });
    });
  });
}

/** A benchmark's `[runs] [--profile NAME]` arguments (profile: minimal unless named). */
export function runsAndProfile(defaultRuns: number): { runs: number; profile: string } {
  const args = process.argv.slice(2);
  const at = args.indexOf("--profile");
  const profile = at >= 0 ? (args.splice(at, 2)[1] ?? "minimal") : "minimal";
  return { runs: Number(args[0] ?? defaultRuns), profile };
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

/** The summary line of a `cto preview` / `cto up` text output ("Preview of dev: 24 to create"). */
export function previewLine(stdout: string): string {
  return /^Preview of .*$/m.exec(stdout)?.[0] ?? "(no preview line)";
}

/** The machine the figures were taken on. */
export function machine(): { cpus: number; node: string; memGiB: number } {
  return { cpus: os.cpus().length, node: process.version, memGiB: Math.round(os.totalmem() / 2 ** 30) };
}
