/**
 * Benchmark (issue 20 item 2): what `cto up --yes` starts and costs, before and after a change,
 * on a fresh simulated cluster (minimal profile, stand-in charts from the mirror):
 *
 * - a fresh install (`cto up --yes` on a new sandbox);
 * - a no-op that cannot take the fast path: `cto refresh --yes` first (the history's last entry is
 *   then a refresh, so `cto up` must ask the engine), then `cto up --yes`.
 *
 * Per build and round, each `cto up` runs under `strace --seccomp-bpf -f -e trace=execve` (every
 * process started, grouped: `pulumi <subcommand>`, plugins, node, kubectl, …; only execve stops,
 * so the overhead is small) inside GNU time (wall, user + sys CPU of the whole tree, strace's own
 * included), with the 1-minute load; builds interleaved.
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     CTO_BENCH_BASELINE=<other build>/cli/bin.js node dist/bench/up-passes.js [runs=1]
 *
 * Writes bench/results/up-passes.json.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, CTO_BIN, machine, measureCto, median } from "./measure.js";

const runs = Number(process.argv[2] ?? 1);
// CTO_BENCH_BUILD=before|after runs one of the two (two benchmark processes side by side).
const builds = [
  ...(process.env.CTO_BENCH_BASELINE ? [{ name: "before", bin: process.env.CTO_BENCH_BASELINE }] : []),
  { name: "after", bin: CTO_BIN },
].filter((b) => !process.env.CTO_BENCH_BUILD || b.name === process.env.CTO_BENCH_BUILD);

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Running (not gone, not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Every process `cto <args>` starts, by kind, from strace's execve records. */
async function countProcesses(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cto-bench-strace-"));
  const file = path.join(dir, "trace");
  const timeFile = path.join(dir, "time");
  const load = [os.loadavg()[0]!];
  const started = process.hrtime.bigint();
  const trace = ["--seccomp-bpf", "-f", "-q", "-e", "trace=execve", "-e", "signal=none", "-o", file];
  let output = "";
  let ctoPid: number | undefined;
  await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      "/usr/bin/time",
      ["-f", "%U %S", "-o", timeFile, "strace", ...trace, process.execPath, bin, ...args],
      { cwd, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    // strace -f would also wait for the simulated cluster's processes, which kwokctl leaves
    // running: once cto itself has exited, strace is told to let go (SIGINT: it detaches).
    let stracePid: number | undefined;
    const poll = setInterval(() => {
      stracePid ??= childrenOf(child.pid!)[0];
      if (stracePid !== undefined) ctoPid ??= childrenOf(stracePid)[0];
      if (ctoPid !== undefined && !alive(ctoPid) && stracePid !== undefined) {
        clearInterval(poll);
        setTimeout(() => process.kill(stracePid!, "SIGINT"), 500);
      }
    }, 200);
    child.on("error", reject);
    child.on("close", (c) => {
      clearInterval(poll);
      resolve(c);
    });
  });
  const exited = new RegExp(`^${ctoPid} \\+\\+\\+ exited with (\\d+) \\+\\+\\+`, "m").exec(readFileSync(file, "utf8"));
  const code = exited ? Number(exited[1]) : null;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  load.push(os.loadavg()[0]!);
  const [user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  const cpu = (user ?? 0) + (sys ?? 0);
  const counts: Record<string, number> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /execve\("([^"]+)", \[([^\]]*)\].*\) = 0$/.exec(line);
    if (!m) continue;
    const exe = path.basename(m[1]!);
    const argv = [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]!);
    const key =
      exe === "pulumi"
        ? `pulumi ${argv[1] ?? ""}${argv[1] === "config" || argv[1] === "stack" ? ` ${argv[2] ?? ""}` : ""}`
        : exe;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  rmSync(dir, { recursive: true, force: true });
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { code, total, counts, seconds, cpu, load, tail: output.slice(-1500) };
}

type Counted = Awaited<ReturnType<typeof countProcesses>>;
const results: Record<string, { fresh: Counted; noop: Counted }[]> = {};

async function round(build: { name: string; bin: string }, i: number): Promise<void> {
  const p = await CtoProject.create();
  const up = async (what: string) => {
    const r = await countProcesses(build.bin, ["up", "--yes"], p.sandbox.cwd, p.env);
    if (r.code !== 0) throw new Error(`${build.name} ${what}: cto up exited ${r.code}\n${r.tail}`);
    const { tail: _, ...kept } = r;
    return kept as Counted;
  };
  try {
    await p.init("minimal", `bench-${build.name}-${i}`);
    const fresh = await up("fresh install");
    // The history's last entry is then a refresh: the next cto up cannot take the fast path.
    check("refresh", await measureCto(["refresh"], p.sandbox.cwd, p.env, build.bin));
    const noop = await up("no-op");
    (results[build.name] ??= []).push({ fresh, noop });
    const line = (c: Counted) =>
      `${c.seconds.toFixed(1)} s / ${c.cpu.toFixed(1)} s CPU (load ${c.load.map((l) => l.toFixed(1)).join("→")}), ` +
      `${c.total} processes ${JSON.stringify(c.counts)}`;
    console.log(`${build.name} round ${i}: fresh ${line(fresh)}\n${build.name} round ${i}: no-op ${line(noop)}`);
    check("destroy", await measureCto(["destroy", "--yes"], p.sandbox.cwd, p.env, build.bin));
  } finally {
    await p.cleanup();
  }
}

for (let i = 1; i <= runs; i++) for (const b of builds) await round(b, i);

const med = (xs: number[]) => (xs.length > 0 ? median(xs) : undefined);
const summary = {
  runs,
  medians: Object.fromEntries(
    Object.entries(results).map(([name, rs]) => [
      name,
      Object.fromEntries(
        (["fresh", "noop"] as const).map((k) => [
          k,
          {
            seconds: med(rs.map((r) => r[k].seconds)),
            cpu: med(rs.map((r) => r[k].cpu)),
            processes: med(rs.map((r) => r[k].total)),
          },
        ]),
      ),
    ]),
  ),
  results,
  machine: machine(),
};
console.log(JSON.stringify(summary.medians));
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
await writeFile(
  path.join(out, `up-passes${process.env.CTO_BENCH_BUILD ? `-${process.env.CTO_BENCH_BUILD}` : ""}.json`),
  JSON.stringify(summary, null, 2) + "\n",
);
