/**
 * Benchmark: how long `cto --version` and `cto --help` take next to a bare `node -e ''` on the
 * same machine (the CLI loads lazily: the Pulumi SDK and stacks/* are imported only by the
 * commands that need them). Target: within 1.5× of the bare start. Medians of several runs,
 * interleaved so load changes on the machine hit all cases alike.
 *
 * `cto --help` and `cto up --help` are served from the texts `npm run build` recorded
 * (cli/help-cache.ts; stdout is a pipe here, so commander's width is 80); the "(live)" cases
 * render them with commander (`CTO_NO_HELP_CACHE=1`), as cto does without recorded texts.
 *
 *   npm run build && node dist/bench/startup.js [runs=21]
 *   node dist/bench/startup.js --instructions [runs=3]
 *
 * `--instructions` counts the instructions each start executes (valgrind's callgrind, ~10 s a
 * run): unlike wall and CPU time it does not depend on the machine's load, so it shows the effect
 * of a change on a busy machine. It is not wall time: a bare start spends a larger share outside
 * counted instructions (exec, page faults), so instruction ratios overstate wall-time ratios.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { helpTextsFile } from "../cli/help-cache.js";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "./measure.js";

const CTO = fileURLToPath(new URL("../cli/bin.js", import.meta.url));
const countInstructions = process.argv[2] === "--instructions";
const runs = Number(process.argv[countInstructions ? 3 : 2] ?? (countInstructions ? 3 : 21));
const BASH = "/bin/bash";

/**
 * Wall and CPU time (user + sys) of one start, in ms. Measured by bash's `time` keyword when bash
 * is present: 1 ms resolution (GNU time's is 10 ms), and bash's own start is not counted. CPU time
 * is far less sensitive to other load on the machine than wall time.
 */
function time(args: string[], env: NodeJS.ProcessEnv): { wall: number; cpu?: number } {
  const useBash = existsSync(BASH);
  const cmd = useBash ? BASH : process.execPath;
  const argv = useBash ? ["-c", 'TIMEFORMAT="%3R %3U %3S"; time "$@"', "bash", process.execPath, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], env });
  const outside = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  if (!useBash) return { wall: outside };
  const [real, user, sys] = r.stderr.toString().trim().split("\n").pop()!.split(" ").map(Number);
  if (real === undefined || user === undefined || sys === undefined || [real, user, sys].some(Number.isNaN)) {
    throw new Error(`no timing from bash for node ${args.join(" ")}: ${r.stderr.toString()}`);
  }
  return { wall: real * 1000, cpu: (user + sys) * 1000 };
}

/** Instructions executed by `node ...args` (all threads), counted by callgrind. */
function instructions(args: string[], env: NodeJS.ProcessEnv): number {
  const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  if (r.error) throw new Error(`valgrind is needed for --instructions: ${r.error.message}`);
  const m = /Collected : (\d+)/.exec(r.stderr.toString());
  if (r.status !== 0 || !m)
    throw new Error(`valgrind node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  return Number(m[1]);
}

const recorded = { ...process.env, CTO_NO_HELP_CACHE: undefined, CTO_HELP_TEXTS: undefined };
const live = { ...recorded, CTO_NO_HELP_CACHE: "1" };
const cases: Record<string, { args: string[]; env: NodeJS.ProcessEnv }> = {
  "node -e ''": { args: ["-e", ""], env: recorded },
  "cto --version": { args: [CTO, "--version"], env: recorded },
  "cto --help": { args: [CTO, "--help"], env: recorded },
  "cto up --help": { args: [CTO, "up", "--help"], env: recorded },
  "cto --help (live)": { args: [CTO, "--help"], env: live },
  "cto up --help (live)": { args: [CTO, "up", "--help"], env: live },
};
if (!existsSync(helpTextsFile(recorded))) {
  console.log(`note: no recorded help texts (${helpTextsFile(recorded)}): run npm run build; --help renders live`);
}
if (countInstructions) {
  for (const { args, env } of Object.values(cases)) spawnSync(process.execPath, args, { stdio: "ignore", env }); // fill the compile cache
  const counts: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, { args, env }] of Object.entries(cases)) counts[name]!.push(instructions(args, env));
  }
  const base = median(counts["node -e ''"]!);
  console.log(`node ${process.version}, ${runs} runs each under callgrind, median instructions:`);
  for (const [name, c] of Object.entries(counts)) {
    const m = median(c);
    console.log(`  ${name.padEnd(21)} ${(m / 1e6).toFixed(0).padStart(5)} M ${(m / base).toFixed(2)}×`);
  }
  process.exit(0);
}

const wall: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const loadBefore = os.loadavg()[0]!;
for (const { args, env } of Object.values(cases)) time(args, env); // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, { args, env }] of Object.entries(cases)) {
    const t = time(args, env);
    wall[name]!.push(t.wall);
    if (t.cpu !== undefined) cpu[name]!.push(t.cpu);
  }
}

const baseWall = median(wall["node -e ''"]!);
const baseCpu = cpu["node -e ''"]!.length > 0 ? median(cpu["node -e ''"]!) : undefined;
const load = `${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`;
console.log(`node ${process.version}, ${runs} runs each, 1-min load average ${load}, medians:`);
for (const name of Object.keys(cases)) {
  const w = median(wall[name]!);
  const c = cpu[name]!.length > 0 ? median(cpu[name]!) : undefined;
  const cpuText =
    c !== undefined && baseCpu ? `   cpu ${c.toFixed(0).padStart(4)} ms ${(c / baseCpu).toFixed(2)}×` : "";
  console.log(`  ${name.padEnd(21)} wall ${w.toFixed(0).padStart(5)} ms ${(w / baseWall).toFixed(2)}×${cpuText}`);
}
