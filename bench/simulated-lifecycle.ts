/**
 * Benchmark: the minimal profile on a fresh simulated cluster, through the built `cto`:
 * `cto up` (creates the kwok cluster and installs the platform from the chart mirror), a no-op
 * `cto up`, and `cto destroy` (removes platform and cluster). Medians of several runs.
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/simulated-lifecycle.js [runs=3]
 *
 * Prints a table and writes the raw figures to bench/results/simulated-lifecycle.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, measureCto, median } from "./measure.js";

const runs = Number(process.argv[2] ?? 3);
const results: { up: number; noopUp: number; destroy: number; upPeakMiB: number }[] = [];

for (let i = 0; i < runs; i++) {
  const p = await CtoProject.create();
  try {
    await p.init("minimal", `bench-${i}`);
    const up = check("up", await measureCto(["up", "--yes"], p.sandbox.cwd, p.env));
    const noop = check("no-op up", await measureCto(["up", "--yes"], p.sandbox.cwd, p.env));
    const destroy = check("destroy", await measureCto(["destroy", "--yes"], p.sandbox.cwd, p.env));
    results.push({ up: up.seconds, noopUp: noop.seconds, destroy: destroy.seconds, upPeakMiB: up.peakMiB });
    console.log(
      `run ${i + 1}/${runs}: up ${up.seconds.toFixed(1)}s, no-op up ${noop.seconds.toFixed(1)}s, destroy ${destroy.seconds.toFixed(1)}s`,
    );
  } finally {
    await p.cleanup();
  }
}

const summary = {
  runs,
  medianSeconds: {
    up: median(results.map((r) => r.up)),
    noopUp: median(results.map((r) => r.noopUp)),
    destroy: median(results.map((r) => r.destroy)),
  },
  medianUpPeakMiB: median(results.map((r) => r.upPeakMiB)),
  results,
  machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
};
console.log(
  `\nminimal profile, simulated cluster, median of ${runs}:\n` +
    `  cto up (fresh cluster)  ${summary.medianSeconds.up.toFixed(1)} s\n` +
    `  cto up (no changes)     ${summary.medianSeconds.noopUp.toFixed(1)} s\n` +
    `  cto destroy             ${summary.medianSeconds.destroy.toFixed(1)} s`,
);
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
await writeFile(path.join(out, "simulated-lifecycle.json"), JSON.stringify(summary, null, 2) + "\n");
