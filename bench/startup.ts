/**
 * Benchmark: how long `cto --version` and `cto --help` take next to a bare `node -e ''` on the
 * same machine (the CLI loads lazily: the Pulumi SDK and stacks/* are imported only by the
 * commands that need them). Target: within 1.5× of the bare start. Medians of several runs,
 * interleaved so load changes on the machine hit all three alike.
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
import os from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "./measure.js";

const CTO = fileURLToPath(new URL("../cli/bin.js", import.meta.url));
const countInstructions = process.argv[2] === "--instructions";
const runs = Number(process.argv[countInstructions ? 3 : 2] ?? (countInstructions ? 3 : 21));
const GNU_TIME = "/usr/bin/time";

/** Wall time, and CPU time (user + sys, from GNU time when present: far less sensitive to load). */
function time(args: string[]): { wall: number; cpu?: number } {
  const useTime = existsSync(GNU_TIME);
  const cmd = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ["-f", "%U %S", process.execPath, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  if (!useTime) return { wall };
  const [user, sys] = r.stderr.toString().trim().split("\n").pop()!.split(" ").map(Number);
  return { wall, cpu: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

/** Instructions executed by `node ...args` (all threads), counted by callgrind. */
function instructions(args: string[]): number {
  const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (r.error) throw new Error(`valgrind is needed for --instructions: ${r.error.message}`);
  const m = /Collected : (\d+)/.exec(r.stderr.toString());
  if (r.status !== 0 || !m)
    throw new Error(`valgrind node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  return Number(m[1]);
}

const cases: Record<string, string[]> = {
  "node -e ''": ["-e", ""],
  "cto --version": [CTO, "--version"],
  "cto --help": [CTO, "--help"],
};
if (countInstructions) {
  for (const args of Object.values(cases)) spawnSync(process.execPath, args, { stdio: "ignore" }); // fill the compile cache
  const counts: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(cases)) counts[name]!.push(instructions(args));
  }
  const base = median(counts["node -e ''"]!);
  console.log(`node ${process.version}, ${runs} runs each under callgrind, median instructions:`);
  for (const [name, c] of Object.entries(counts)) {
    const m = median(c);
    console.log(`  ${name.padEnd(14)} ${(m / 1e6).toFixed(0).padStart(5)} M ${(m / base).toFixed(2)}×`);
  }
  process.exit(0);
}

const wall: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) time(args); // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t = time(args);
    wall[name]!.push(t.wall);
    if (t.cpu !== undefined) cpu[name]!.push(t.cpu);
  }
}

const baseWall = median(wall["node -e ''"]!);
const baseCpu = cpu["node -e ''"]!.length > 0 ? median(cpu["node -e ''"]!) : undefined;
console.log(`node ${process.version}, ${runs} runs each, load average ${os.loadavg()[0]!.toFixed(1)}, medians:`);
for (const name of Object.keys(cases)) {
  const w = median(wall[name]!);
  const c = cpu[name]!.length > 0 ? median(cpu[name]!) : undefined;
  const cpuText =
    c !== undefined && baseCpu ? `   cpu ${c.toFixed(0).padStart(4)} ms ${(c / baseCpu).toFixed(2)}×` : "";
  console.log(`  ${name.padEnd(14)} wall ${w.toFixed(0).padStart(5)} ms ${(w / baseWall).toFixed(2)}×${cpuText}`);
}
