/**
 * Benchmark (issue 15): from `cto init --yes` to "Ready for tasks" on a fresh simulated cluster,
 * through the built `cto` as a user runs it: `cto init --yes` (minimal profile, simulated
 * cluster, no domain, a Cloudflare Tunnel URL so the webhook route exists), `cto up --yes`
 * (creates the kwok cluster and installs the platform; third-party charts from the chart mirror
 * via CTO_CHART_MIRROR), then `cto status --json`, whose readiness must report every check ready
 * except GitHub: no GitHub App exists on the simulated setup, so the line says "no" for that one
 * reason. The time measured is therefore "everything but GitHub ready". Medians of several runs.
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/init-to-ready.js [runs=3]
 *
 * Prints a table and writes the raw figures (with the load average around every command) to
 * bench/results/init-to-ready.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, machine, measureCto, median, type Measured } from "./measure.js";

const runs = Number(process.argv[2] ?? 3);

/** The checks `cto status` must report ready; GitHub alone may not be (no App on a simulated setup). */
const MUST_BE_READY = ["controller", "task resources", "event wiring", "webhook route"];

interface Step {
  seconds: number;
  cpuSeconds?: number;
  load: { start: number; end: number };
}
const step = (m: Measured): Step => ({ seconds: m.seconds, cpuSeconds: m.cpuSeconds, load: m.load });
interface Run {
  init: Step;
  up: Step;
  status: Step;
  totalSeconds: number;
  totalCpuSeconds: number;
  notReady: string[];
}
const results: Run[] = [];

for (let i = 0; i < runs; i++) {
  const p = await CtoProject.create();
  try {
    p.env.CTO_CHART_MIRROR = p.mirror.url;
    p.env.CTO_TUNNEL_TOKEN = "bench-tunnel-token";
    const cwd = p.sandbox.cwd;
    const init = check(
      "init",
      await measureCto(
        [
          ...["init", "--yes", "--profile", "minimal", "--provider", "simulated"],
          ...["--org", "acme", "--repo", "platform", "--name", `ready-${i}`],
          ...["--tunnel-url", "https://hooks.acme.example"],
        ],
        cwd,
        p.env,
      ),
    );
    const up = check("up", await measureCto(["up", "--yes"], cwd, p.env));
    const status = await measureCto(["status", "--json"], cwd, p.env);
    const report = JSON.parse(status.stdout.trim().split("\n").pop() ?? "{}") as {
      readiness?: { ready: boolean; checks: { name: string; ok: boolean; detail: string }[] } | null;
    };
    const checks = report.readiness?.checks ?? [];
    const notReady = checks.filter((c) => !c.ok).map((c) => c.name);
    for (const name of MUST_BE_READY) {
      const c = checks.find((x) => x.name === name);
      if (!c?.ok) throw new Error(`cto status: ${name} is not ready: ${JSON.stringify(c)}\n${status.stdout}`);
    }
    const steps = [init, up, status];
    const run: Run = {
      init: step(init),
      up: step(up),
      status: step(status),
      totalSeconds: steps.reduce((s, m) => s + m.seconds, 0),
      totalCpuSeconds: steps.reduce((s, m) => s + (m.cpuSeconds ?? 0), 0),
      notReady,
    };
    results.push(run);
    console.log(
      `run ${i + 1}/${runs}: init ${init.seconds.toFixed(1)}s, up ${up.seconds.toFixed(1)}s, ` +
        `status ${status.seconds.toFixed(1)}s = ${run.totalSeconds.toFixed(1)}s ` +
        `(cpu ${run.totalCpuSeconds.toFixed(1)}s, load ${init.load.start.toFixed(1)}–${status.load.end.toFixed(1)}); ` +
        `not ready: ${notReady.join(", ") || "none"}`,
    );
  } finally {
    await p.cleanup();
  }
}

const pick = (f: (r: Run) => number | undefined) => median(results.map(f).filter((v): v is number => v !== undefined));
const loads = results.flatMap((r) => [r.init.load.start, r.up.load.start, r.status.load.end]);
const summary = {
  runs,
  median: {
    initSeconds: pick((r) => r.init.seconds),
    upSeconds: pick((r) => r.up.seconds),
    statusSeconds: pick((r) => r.status.seconds),
    totalSeconds: pick((r) => r.totalSeconds),
    totalCpuSeconds: pick((r) => r.totalCpuSeconds),
  },
  loadRange: [Math.min(...loads), Math.max(...loads)],
  results,
  machine: machine(),
};
console.log(
  `\ninit --yes → ready for tasks (all but GitHub), minimal, simulated cluster, median of ${runs} ` +
    `(1-min load ${summary.loadRange.map((l) => l.toFixed(1)).join("–")}):\n` +
    `  init ${summary.median.initSeconds.toFixed(1)} s, up ${summary.median.upSeconds.toFixed(1)} s, ` +
    `status ${summary.median.statusSeconds.toFixed(1)} s; total ${summary.median.totalSeconds.toFixed(1)} s ` +
    `wall, ${summary.median.totalCpuSeconds.toFixed(1)} s CPU`,
);
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
await writeFile(path.join(out, "init-to-ready.json"), JSON.stringify(summary, null, 2) + "\n");
