/**
 * Benchmark: a profile (minimal by default) on a fresh simulated cluster, through the built `cto`:
 * `cto up` (creates the kwok cluster and installs the platform from the chart mirror), a no-op
 * `cto up`, and `cto destroy` (removes platform and cluster). Medians of several runs.
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/simulated-lifecycle.js [runs=3] [--profile standard]
 *
 * Prints a table and writes the raw figures (with the load average around every command) to
 * bench/results/simulated-lifecycle.json (minimal) or simulated-lifecycle-<profile>.json.
 * `CTO_BENCH_BIN=<other build>/cli/bin.js` runs another build (e.g. "before" a change).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, CTO_BIN, machine, measureCto, median, previewLine, runsAndProfile, type Measured } from "./measure.js";

const { runs, profile } = runsAndProfile(3);
const bin = process.env.CTO_BENCH_BIN ?? CTO_BIN;

interface Step {
  seconds: number;
  cpuSeconds?: number;
  peakMiB: number;
  treePeakMiB: number;
  load: { start: number; end: number };
}
const step = (m: Measured): Step => ({
  cpuSeconds: m.cpuSeconds,
  seconds: m.seconds,
  peakMiB: m.peakMiB,
  treePeakMiB: m.treePeakMiB,
  load: m.load,
});
const results: { up: Step; noopUp: Step; destroy: Step; upPreview: string }[] = [];

for (let i = 0; i < runs; i++) {
  const p = await CtoProject.create();
  try {
    await p.init(profile, `bench-${i}`);
    const up = check("up", await measureCto(["up", "--yes"], p.sandbox.cwd, p.env, bin));
    const noop = check("no-op up", await measureCto(["up", "--yes"], p.sandbox.cwd, p.env, bin));
    // A second `cto up` that changed something would not be the no-op this benchmark times.
    if (!/^No changes/m.test(noop.stdout)) throw new Error(`the second cto up was not a no-op:\n${noop.stdout}`);
    const destroy = check("destroy", await measureCto(["destroy", "--yes"], p.sandbox.cwd, p.env, bin));
    if (p.clusters().length > 0) throw new Error(`cto destroy left simulated clusters: ${p.clusters().join(", ")}`);
    results.push({ up: step(up), noopUp: step(noop), destroy: step(destroy), upPreview: previewLine(up.stdout) });
    console.log(
      `run ${i + 1}/${runs}: up ${up.seconds.toFixed(1)}s (load ${up.load.start.toFixed(1)}), ` +
        `no-op up ${noop.seconds.toFixed(1)}s (load ${noop.load.start.toFixed(1)}), ` +
        `destroy ${destroy.seconds.toFixed(1)}s (load ${destroy.load.start.toFixed(1)}); ${previewLine(up.stdout)}`,
    );
  } finally {
    await p.cleanup();
  }
}

type Key = "up" | "noopUp" | "destroy";
const keys: Key[] = ["up", "noopUp", "destroy"];
const medianOf = (pick: (s: Step) => number | undefined) =>
  Object.fromEntries(
    keys.map((k) => {
      const values = results.map((r) => pick(r[k])).filter((v): v is number => v !== undefined);
      return [k, values.length > 0 ? median(values) : undefined];
    }),
  ) as Record<Key, number | undefined>;
const loads = results.flatMap((r) => keys.flatMap((k) => [r[k].load.start, r[k].load.end]));
const summary = {
  profile,
  bin,
  runs,
  medianSeconds: medianOf((s) => s.seconds),
  medianCpuSeconds: medianOf((s) => s.cpuSeconds),
  medianPeakMiB: medianOf((s) => s.peakMiB),
  medianTreePeakMiB: medianOf((s) => s.treePeakMiB),
  loadRange: [Math.min(...loads), Math.max(...loads)],
  results,
  machine: machine(),
};
const row = (what: string, key: Key) =>
  `  ${what.padEnd(24)} wall ${summary.medianSeconds[key]!.toFixed(1).padStart(5)} s  ` +
  `cpu ${(summary.medianCpuSeconds[key]?.toFixed(1) ?? "-").padStart(5)} s  ` +
  `cto ${String(summary.medianPeakMiB[key]).padStart(4)} MiB  tree ${String(summary.medianTreePeakMiB[key]).padStart(4)} MiB`;
console.log(
  `\n${profile} profile, simulated cluster, median of ${runs} (1-min load ${summary.loadRange.map((l) => l.toFixed(1)).join("–")}):\n` +
    [row("cto up (fresh cluster)", "up"), row("cto up (no changes)", "noopUp"), row("cto destroy", "destroy")].join(
      "\n",
    ),
);
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
const file = profile === "minimal" ? "simulated-lifecycle.json" : `simulated-lifecycle-${profile}.json`;
await writeFile(path.join(out, file), JSON.stringify(summary, null, 2) + "\n");
