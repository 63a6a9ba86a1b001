/**
 * Benchmark: how `cto preview` grows with the number of agents (1, 10, 50) — wall and CPU time and
 * the peak resident memory of the cto process, which runs the Pulumi program inline (and of its
 * whole process tree: engine and plugins). Standard profile on a simulated cluster (not created: a
 * preview changes nothing).
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/preview-scale.js [runs=3] [sizes=1,10,50]
 *
 * One project per size. Each first preview (it also creates the stack and writes its config) is
 * recorded apart; then the sizes are previewed in rounds (1, 10, 50, 1, 10, 50, ...) so that a
 * change in the machine's load falls on every size alike, and the medians are of those rounds.
 * Prints a table and writes the raw figures (with the load average around every preview) to
 * bench/results/preview-scale.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, machine, measureCto, median, previewLine, type Measured } from "./measure.js";

const runs = Number(process.argv[2] ?? 3);
const sizes = (process.argv[3] ?? "1,10,50").split(",").map(Number);

interface Sample {
  seconds: number;
  cpuSeconds?: number;
  peakMiB: number;
  treePeakMiB: number;
  load: { start: number; end: number };
}
const sample = (m: Measured): Sample => ({
  seconds: m.seconds,
  cpuSeconds: m.cpuSeconds,
  peakMiB: m.peakMiB,
  treePeakMiB: m.treePeakMiB,
  load: m.load,
});
const medianOf = (values: (number | undefined)[]) => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? median(known) : undefined;
};

const projects: { agents: number; project: CtoProject; preview: string; first: Sample; all: Sample[] }[] = [];
try {
  for (const agents of sizes) {
    const project = await CtoProject.create();
    projects.push({ agents, project, preview: "", first: undefined as unknown as Sample, all: [] });
    await project.init("standard", "bench-scale");
    await project.editConfig((doc) => {
      doc.delete("agents");
      for (let i = 1; i <= agents; i++) {
        const name = `agent${String(i).padStart(2, "0")}`;
        doc.setIn(["agents", name, "enabled"], true);
        doc.setIn(["agents", name, "resources"], { cpu: "100m", memory: "256Mi" });
      }
    });
  }
  const preview = async (p: (typeof projects)[number]) =>
    check(`preview with ${p.agents} agents`, await measureCto(["preview"], p.project.sandbox.cwd, p.project.env));
  for (const p of projects) {
    const first = await preview(p);
    p.first = sample(first);
    p.preview = previewLine(first.stdout);
    console.log(`${p.agents} agents: ${p.preview}; first preview ${JSON.stringify(p.first)}`);
  }
  for (let r = 0; r < runs; r++) {
    for (const p of projects) {
      const s = sample(await preview(p));
      p.all.push(s);
      console.log(`round ${r + 1}/${runs}, ${p.agents} agents: ${JSON.stringify(s)}`);
    }
  }
} finally {
  for (const p of projects) await p.project.cleanup();
}

const rows = projects.map((p) => {
  const loads = p.all.flatMap((a) => [a.load.start, a.load.end]);
  return {
    agents: p.agents,
    preview: p.preview,
    seconds: median(p.all.map((a) => a.seconds)),
    cpuSeconds: medianOf(p.all.map((a) => a.cpuSeconds)),
    peakMiB: median(p.all.map((a) => a.peakMiB)),
    treePeakMiB: median(p.all.map((a) => a.treePeakMiB)),
    loadRange: [Math.min(...loads), Math.max(...loads)],
    first: p.first,
    all: p.all,
  };
});
console.log(`\nmedians of ${runs} rounds`);
console.log("agents  wall (s)  cpu (s)  cto peak RSS (MiB)  tree peak RSS (MiB)  1-min load  changes");
for (const r of rows) {
  console.log(
    `${String(r.agents).padStart(6)}  ${r.seconds.toFixed(1).padStart(8)}  ${(r.cpuSeconds?.toFixed(1) ?? "-").padStart(7)}  ` +
      `${String(r.peakMiB).padStart(18)}  ${String(r.treePeakMiB).padStart(19)}  ` +
      `${r.loadRange
        .map((l) => l.toFixed(1))
        .join("–")
        .padStart(10)}  ${r.preview}`,
  );
}
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
await writeFile(
  path.join(out, "preview-scale.json"),
  JSON.stringify({ runs, rows, machine: machine() }, null, 2) + "\n",
);
