/**
 * Benchmark (issue 20 item 2): what `cto up --yes` starts and costs, before and after a change,
 * on a fresh simulated cluster (minimal profile, stand-in charts from the mirror):
 *
 * - a fresh install (`cto up --yes` on a new sandbox);
 * - a no-op that cannot take the fast path: `cto refresh --yes` first (the history's last entry is
 *   then a refresh, so `cto up` must ask the engine), then `cto up --yes`.
 *
 * Per build, one counting round under `strace -f -e trace=execve` (every process started, grouped:
 * `pulumi <subcommand>`, plugins, node, kubectl, …; not timed, strace slows everything) and
 * `runs` timed rounds (wall, CPU of the whole tree from GNU time, load), builds interleaved.
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
const builds = [
  ...(process.env.CTO_BENCH_BASELINE ? [{ name: "before", bin: process.env.CTO_BENCH_BASELINE }] : []),
  { name: "after", bin: CTO_BIN },
];

/** Every process `cto <args>` starts, by kind, from strace's execve records. */
async function countProcesses(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cto-bench-strace-"));
  const file = path.join(dir, "trace");
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      "strace",
      ["-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", file, process.execPath, bin, ...args],
      { cwd, env, stdio: ["ignore", "ignore", "ignore"] },
    );
    child.on("error", reject);
    child.on("close", resolve);
  });
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
  return { code, total, counts };
}

type Counted = Awaited<ReturnType<typeof countProcesses>>;
const counted: Record<string, { fresh?: Counted; noop?: Counted }> = {};
const timed: Record<
  string,
  { fresh: { seconds: number; cpu?: number; load: number[] }[]; noop: (typeof timed)[string]["fresh"] }
> = {};

async function round(build: { name: string; bin: string }, i: number, count: boolean): Promise<void> {
  const p = await CtoProject.create();
  const run = (args: string[]) => measureCto(args, p.sandbox.cwd, p.env, build.bin);
  try {
    await p.init("minimal", `bench-${build.name}-${i}`);
    if (count) {
      const fresh = await countProcesses(build.bin, ["up", "--yes"], p.sandbox.cwd, p.env);
      check("refresh", await run(["refresh", "--yes"]));
      const noop = await countProcesses(build.bin, ["up", "--yes"], p.sandbox.cwd, p.env);
      if (fresh.code !== 0 || noop.code !== 0) throw new Error(`${build.name}: up under strace failed`);
      counted[build.name] = { fresh, noop };
      console.log(
        `${build.name} processes: fresh ${fresh.total} ${JSON.stringify(fresh.counts)}; no-op ${noop.total} ${JSON.stringify(noop.counts)}`,
      );
    } else {
      const fresh = check("up", await run(["up", "--yes"]));
      check("refresh", await run(["refresh", "--yes"]));
      const noop = check("no-op up", await run(["up", "--yes"]));
      const t = (timed[build.name] ??= { fresh: [], noop: [] });
      t.fresh.push({ seconds: fresh.seconds, cpu: fresh.cpuSeconds, load: [fresh.load.start, fresh.load.end] });
      t.noop.push({ seconds: noop.seconds, cpu: noop.cpuSeconds, load: [noop.load.start, noop.load.end] });
      console.log(
        `${build.name} round ${i}: fresh ${fresh.seconds.toFixed(1)} s / ${fresh.cpuSeconds?.toFixed(1)} s CPU (load ${fresh.load.start.toFixed(1)}), ` +
          `no-op ${noop.seconds.toFixed(1)} s / ${noop.cpuSeconds?.toFixed(1)} s CPU (load ${noop.load.start.toFixed(1)})`,
      );
    }
    check("destroy", await run(["destroy", "--yes"]));
  } finally {
    await p.cleanup();
  }
}

for (const b of builds) await round(b, 0, true);
for (let i = 1; i <= runs; i++) for (const b of builds) await round(b, i, false);

const med = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length > 0 ? median(v) : undefined;
};
const summary = {
  runs,
  counted,
  timed,
  medians: Object.fromEntries(
    Object.entries(timed).map(([name, t]) => [
      name,
      {
        fresh: { seconds: med(t.fresh.map((x) => x.seconds)), cpu: med(t.fresh.map((x) => x.cpu)) },
        noop: { seconds: med(t.noop.map((x) => x.seconds)), cpu: med(t.noop.map((x) => x.cpu)) },
      },
    ]),
  ),
  machine: machine(),
};
console.log(JSON.stringify(summary.medians));
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
await writeFile(path.join(out, "up-passes.json"), JSON.stringify(summary, null, 2) + "\n");
