/**
 * Benchmark: where a fresh install's wall time goes (issue 20 item 3). One fresh `cto up --yes
 * --json` of a profile (default minimal) on a new simulated cluster, through the built `cto`, as
 * simulated-lifecycle.js runs it; then the stack's state is read for what waited on what.
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/install-breakdown.js [runs=1] [--profile minimal|standard]
 *   # another build in the same rounds (before/after): CTO_BENCH_BASELINE=<other build>/cli/bin.js
 *
 * Per resource, from the engine's own events (cto's `--json` progress: a `start` when the engine
 * begins a step, a `done` when the provider reports it finished, each stamped here when its line
 * arrives): start and end in seconds since `cto up` was started, the duration, what kind of wait
 * it is (kwok cluster creation, Helm release readiness, namespace, CRD, Deployment readiness,
 * Service, other objects), and what it waited on: its dependencies in the state (a dependency on
 * a component is one on every resource under it), the last of them to finish. The critical path
 * is that chain back from the last resource to finish. Before the first resource: cto's start,
 * preflight, the engine's and the program's start; after the last: outputs, history, the record.
 *
 * Prints per run a table and the critical path; writes the raw figures to
 * bench/results/install-breakdown[-<profile>].json.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { check, CTO_BIN, machine, measureCto, median, runsAndProfile } from "./measure.js";

const { runs, profile } = runsAndProfile(1);
const baseline = process.env.CTO_BENCH_BASELINE;
const builds: { name: string; bin: string }[] = [
  ...(baseline ? [{ name: "before", bin: baseline }] : []),
  { name: baseline ? "after" : "this", bin: CTO_BIN },
];

export interface Step {
  urn: string;
  name: string;
  type: string;
  component: string;
  /** What kind of wait the step is. */
  wait: string;
  start: number;
  end?: number;
  seconds?: number;
  /** Direct dependencies (resource names), components expanded to the resources under them. */
  dependsOn: string[];
  /** The dependency that finished last before this step started, and when. */
  waitedOn?: { name: string; end: number };
}

/** What kind of wait a resource type is. */
function waitKind(type: string, name: string): string {
  if (type === "pulumi-nodejs:dynamic:Resource") return /cluster/.test(name) ? "kwok cluster creation" : "dynamic";
  if (/^kubernetes:helm\.sh\/v\d+:Release$/.test(type)) return "Helm release readiness";
  if (type === "kubernetes:core/v1:Namespace") return "namespace";
  if (type.endsWith(":CustomResourceDefinition")) return "CRD";
  if (type === "kubernetes:apps/v1:Deployment") return "Deployment readiness";
  if (type === "kubernetes:core/v1:Service") return "Service";
  if (type.startsWith("pulumi:providers:")) return "provider";
  if (type.startsWith("kubernetes:argoproj.io")) return "Argo object";
  return "object";
}

const nameOf = (urn: string) => urn.split("::").pop()!;

interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  parent?: string;
  dependencies?: string[];
  provider?: string;
}

/** The stack's checkpoint in the sandbox's file backend (`…/.pulumi/stacks/<project>/<stack>.json`). */
function readState(home: string): StateResource[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (/\/\.pulumi\/stacks\/[^/]+\/[^/]+\.json$/.test(p)) found.push(p);
    }
  };
  walk(home, 0);
  if (found.length !== 1) throw new Error(`expected one stack checkpoint under ${home}, found ${found.length}`);
  const doc = JSON.parse(readFileSync(found[0]!, "utf8")) as {
    checkpoint: { latest: { resources: StateResource[] } };
  };
  return doc.checkpoint.latest.resources;
}

interface Run {
  build: string;
  seconds: number;
  cpuSeconds?: number;
  load: { start: number; end: number };
  firstStart: number;
  lastEnd: number;
  steps: Step[];
  criticalPath: { name: string; wait: string; start: number; end: number; seconds: number }[];
  byWait: Record<string, { count: number; sumSeconds: number; maxSeconds: number }>;
}

async function once(bin: string, build: string, i: number): Promise<Run> {
  const p = await CtoProject.create();
  try {
    await p.init(profile, `breakdown-${i}`);
    const steps = new Map<string, Step>();
    const up = check(
      "up",
      await measureCto(["up", "--yes", "--json"], p.sandbox.cwd, p.env, bin, (line, at) => {
        if (!line.startsWith("{")) return;
        const e = JSON.parse(line) as { kind: string; urn?: string; type?: string; component?: string };
        if (!e.urn || (e.kind !== "start" && e.kind !== "done" && e.kind !== "failed")) return;
        let s = steps.get(e.urn);
        if (!s) {
          const name = nameOf(e.urn);
          s = {
            urn: e.urn,
            name,
            type: e.type!,
            component: e.component!,
            wait: waitKind(e.type!, name),
            start: at,
            dependsOn: [],
          };
          steps.set(e.urn, s);
        }
        if (e.kind !== "start") {
          s.end = at;
          s.seconds = at - s.start;
        }
      }),
    );
    const state = readState(p.home);
    const children = new Map<string, string[]>();
    for (const r of state) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    const custom = new Set(state.filter((r) => r.custom).map((r) => r.urn));
    /** A dependency on a component waits for every custom resource under it. */
    const expand = (urn: string): string[] =>
      custom.has(urn) ? [urn] : (children.get(urn) ?? []).flatMap((c) => expand(c));
    for (const r of state) {
      const s = steps.get(r.urn);
      if (!s) continue;
      // The stack and components end when their children do: not steps of their own.
      if (!r.custom) s.wait = "component";
      const deps = new Set((r.dependencies ?? []).flatMap(expand));
      if (r.provider) deps.add(r.provider.split("::").slice(0, -1).join("::"));
      s.dependsOn = [...deps].filter((d) => steps.has(d)).map(nameOf);
      const done = [...deps].map((d) => steps.get(d)).filter((d): d is Step => d?.end !== undefined);
      const last = done.sort((a, b) => b.end! - a.end!)[0];
      if (last) s.waitedOn = { name: last.name, end: last.end! };
    }
    const all = [...steps.values()].sort((a, b) => a.start - b.start);
    const byName = new Map(all.map((s) => [s.name, s]));
    const criticalPath: Run["criticalPath"] = [];
    let at = [...all].filter((s) => s.end !== undefined && s.wait !== "component").sort((a, b) => b.end! - a.end!)[0];
    while (at) {
      criticalPath.unshift({ name: at.name, wait: at.wait, start: at.start, end: at.end!, seconds: at.seconds! });
      at = at.waitedOn ? byName.get(at.waitedOn.name) : undefined;
    }
    const byWait: Run["byWait"] = {};
    for (const s of all) {
      const w = (byWait[s.wait] ??= { count: 0, sumSeconds: 0, maxSeconds: 0 });
      w.count++;
      w.sumSeconds += s.seconds ?? 0;
      w.maxSeconds = Math.max(w.maxSeconds, s.seconds ?? 0);
    }
    const ends = all.map((s) => s.end ?? s.start);
    const destroy = await measureCto(["destroy", "--yes"], p.sandbox.cwd, p.env, bin);
    if (destroy.code !== 0) console.error(`destroy exited ${destroy.code}: ${destroy.stderr.slice(-500)}`);
    return {
      build,
      seconds: up.seconds,
      cpuSeconds: up.cpuSeconds,
      load: up.load,
      firstStart: all[0]?.start ?? 0,
      lastEnd: Math.max(...ends),
      steps: all,
      criticalPath,
      byWait,
    };
  } finally {
    await p.cleanup();
  }
}

const f1 = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(1));

function print(r: Run): void {
  console.log(
    `\n[${r.build}] cto up --yes (${profile}, fresh simulated cluster): ${f1(r.seconds)} s wall, ` +
      `${f1(r.cpuSeconds)} s CPU, 1-min load ${f1(r.load.start)}→${f1(r.load.end)}`,
  );
  console.log(`  before the first resource (cto start, preflight, engine and program start): ${f1(r.firstStart)} s`);
  console.log(
    `  after the last resource (outputs, history, record):                        ${f1(r.seconds - r.lastEnd)} s`,
  );
  console.log("  resource".padEnd(58) + "wait".padEnd(24) + "start    end    dur  waited on");
  for (const s of r.steps) {
    console.log(
      `  ${s.name.slice(0, 55).padEnd(56)}${s.wait.padEnd(24)}${f1(s.start).padStart(5)}  ${f1(s.end).padStart(5)}  ${f1(s.seconds).padStart(5)}  ` +
        (s.waitedOn ? `${s.waitedOn.name} (${f1(s.waitedOn.end)})` : "-"),
    );
  }
  console.log("  critical path:");
  for (const c of r.criticalPath)
    console.log(
      `    ${f1(c.start).padStart(5)} → ${f1(c.end).padStart(5)}  ${f1(c.seconds).padStart(5)} s  ${c.name} (${c.wait})`,
    );
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  for (const b of builds) {
    const r = await once(b.bin, b.name, i);
    results.push(r);
    print(r);
  }
}

const summary = {
  profile,
  runs,
  builds: Object.fromEntries(
    builds.map((b) => {
      const mine = results.filter((r) => r.build === b.name);
      const cpu = mine.map((r) => r.cpuSeconds).filter((v): v is number => v !== undefined);
      return [
        b.name,
        {
          bin: b.bin,
          medianSeconds: median(mine.map((r) => r.seconds)),
          medianCpuSeconds: cpu.length > 0 ? median(cpu) : undefined,
          medianCriticalPath: median(mine.map((r) => r.lastEnd - r.firstStart)),
        },
      ];
    }),
  ),
  loadRange: [
    Math.min(...results.flatMap((r) => [r.load.start, r.load.end])),
    Math.max(...results.flatMap((r) => [r.load.start, r.load.end])),
  ],
  results,
  machine: machine(),
};
console.log("\n" + JSON.stringify(summary.builds, null, 2));
const out = path.join(repoRoot(), "bench", "results");
await mkdir(out, { recursive: true });
const file = profile === "minimal" ? "install-breakdown.json" : `install-breakdown-${profile}.json`;
await writeFile(path.join(out, file), JSON.stringify(summary, null, 2) + "\n");
console.log(`raw figures: bench/results/${file}`);
