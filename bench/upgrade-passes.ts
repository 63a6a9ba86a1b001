/**
 * Benchmark (issue 20 item 2): `cto upgrade --yes` and `cto rollback --yes` as one engine pass,
 * before and after, in the same rounds. Per round and build (interleaved): a fresh sandbox, the
 * minimal profile on a new simulated cluster at release 0.2.0 (`cto up --yes`, not timed), then
 * timed: `cto upgrade --to 0.3.0 --yes` (every chart moves) and `cto rollback --yes` (back to
 * 0.2.0's update). Wall and CPU (GNU time, the whole tree) with the 1-minute load; the `pulumi
 * preview`/`pulumi up` processes each command started, counted through the e2e helper's wrapper.
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     CTO_BENCH_BASELINE=<other build>/cli/bin.js node dist/bench/upgrade-passes.js [runs=1]
 *
 * Writes bench/results/upgrade-passes.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, CTO_BIN, machine, measureCto, median, type Measured } from "./measure.js";

const runs = Number(process.argv[2] ?? 1);
const FROM = "0.2.0";
const TO = "0.3.0";
const builds = [
  ...(process.env.CTO_BENCH_BASELINE ? [{ name: "before", bin: process.env.CTO_BENCH_BASELINE }] : []),
  { name: "after", bin: CTO_BIN },
];

interface Step {
  seconds: number;
  cpuSeconds?: number;
  load: { start: number; end: number };
  previews: number;
  updates: number;
}
const results: { build: string; round: number; upgrade: Step; rollback: Step }[] = [];

/** Runs and measures one command, with the engine passes it started. */
async function timed(p: CtoProject, bin: string, what: string, args: string[]): Promise<Step> {
  const mark = p.pulumiCommands().length;
  const m: Measured = check(what, await measureCto(args, p.sandbox.cwd, p.env, bin));
  const { previews, updates } = p.engineRunsSince(mark);
  return { seconds: m.seconds, cpuSeconds: m.cpuSeconds, load: m.load, previews, updates };
}

for (let i = 0; i < runs; i++) {
  for (const build of builds) {
    const p = await CtoProject.create();
    try {
      p.countPulumiCommands();
      await p.init("minimal", `bench-upg-${build.name}-${i}`);
      await p.editConfig((doc) => doc.set("release", FROM));
      check("up", await measureCto(["up", "--yes"], p.sandbox.cwd, p.env, build.bin));
      const upgrade = await timed(p, build.bin, "upgrade", ["upgrade", "--to", TO, "--yes"]);
      const rollback = await timed(p, build.bin, "rollback", ["rollback", "--yes"]);
      results.push({ build: build.name, round: i + 1, upgrade, rollback });
      const say = (s: Step) =>
        `${s.seconds.toFixed(1)} s wall, ${s.cpuSeconds?.toFixed(1) ?? "-"} s CPU, ` +
        `${s.previews} preview + ${s.updates} up, load ${s.load.start.toFixed(1)}`;
      console.log(`round ${i + 1} ${build.name}: upgrade ${say(upgrade)}; rollback ${say(rollback)}`);
    } finally {
      await p.cleanup();
    }
  }
}

const summary = {
  runs,
  builds: Object.fromEntries(
    builds.map((b) => {
      const mine = results.filter((r) => r.build === b.name);
      const med = (pick: (r: (typeof mine)[number]) => number | undefined) => {
        const v = mine.map(pick).filter((x): x is number => x !== undefined);
        return v.length > 0 ? median(v) : undefined;
      };
      return [
        b.name,
        {
          bin: b.bin,
          upgrade: { seconds: med((r) => r.upgrade.seconds), cpuSeconds: med((r) => r.upgrade.cpuSeconds) },
          rollback: { seconds: med((r) => r.rollback.seconds), cpuSeconds: med((r) => r.rollback.cpuSeconds) },
        },
      ];
    }),
  ),
  loadRange: [
    Math.min(...results.flatMap((r) => [r.upgrade.load.start, r.rollback.load.end])),
    Math.max(...results.flatMap((r) => [r.upgrade.load.start, r.upgrade.load.end, r.rollback.load.end])),
  ],
  results,
  machine: machine(),
};
console.log(JSON.stringify(summary.builds, null, 2), `load ${summary.loadRange.map((l) => l.toFixed(1)).join("–")}`);
const out = path.join(repoRoot(), "bench", "results", "upgrade-passes.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(summary, null, 2) + "\n");
console.log(`raw figures: ${out}`);
