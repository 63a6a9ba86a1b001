/**
 * Benchmark: how `cto preview` grows with the number of agents (1, 10, 50) — wall time and the
 * peak resident memory of the cto process, which runs the Pulumi program inline. Standard
 * profile on a simulated cluster (not created: a preview changes nothing).
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/preview-scale.js [runs=3]
 *
 * Prints a table and writes the raw figures to bench/results/preview-scale.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, measureCto, median } from "./measure.js";

const runs = Number(process.argv[2] ?? 3);
const sizes = [1, 10, 50];
const rows: { agents: number; seconds: number; peakMiB: number; all: { seconds: number; peakMiB: number }[] }[] = [];

for (const agents of sizes) {
  const p = await CtoProject.create();
  try {
    await p.init("standard", "bench-scale");
    await p.editConfig((doc) => {
      doc.delete("agents");
      for (let i = 1; i <= agents; i++) {
        doc.setIn(["agents", `agent${String(i).padStart(2, "0")}`, "enabled"], true);
        doc.setIn(["agents", `agent${String(i).padStart(2, "0")}`, "resources"], { cpu: "100m", memory: "256Mi" });
      }
    });
    const all: { seconds: number; peakMiB: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const m = check(`preview with ${agents} agents`, await measureCto(["preview"], p.sandbox.cwd, p.env));
      all.push({ seconds: m.seconds, peakMiB: m.peakMiB });
    }
    rows.push({
      agents,
      seconds: median(all.map((a) => a.seconds)),
      peakMiB: median(all.map((a) => a.peakMiB)),
      all,
    });
    console.log(`${agents} agents: ${JSON.stringify(all)}`);
  } finally {
    await p.cleanup();
  }
}

console.log("\nagents  preview (median s)  peak RSS of cto (median MiB)");
for (const r of rows)
  console.log(
    `${String(r.agents).padStart(6)}  ${r.seconds.toFixed(1).padStart(18)}  ${String(r.peakMiB).padStart(28)}`,
  );
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
await writeFile(
  path.join(out, "preview-scale.json"),
  JSON.stringify(
    { runs, rows, machine: { cpus: (await import("node:os")).cpus().length, node: process.version } },
    null,
    2,
  ) + "\n",
);
