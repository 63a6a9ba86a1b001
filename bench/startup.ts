/**
 * Benchmark: how long `cto --version` and `cto --help` take next to a bare `node -e ''` on the
 * same machine (the CLI loads lazily: the Pulumi SDK and stacks/* are imported only by the
 * commands that need them). Target: within 1.5× of the bare start. Medians of several runs,
 * interleaved so load changes on the machine hit all three alike.
 *
 *   npm run build && node dist/bench/startup.js [runs=21]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./measure.js";

const CTO = fileURLToPath(new URL("../cli/bin.js", import.meta.url));
const runs = Number(process.argv[2] ?? 21);

function time(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const cases: Record<string, string[]> = {
  "node -e ''": ["-e", ""],
  "cto --version": [CTO, "--version"],
  "cto --help": [CTO, "--help"],
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) time(args); // warm the file cache
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name]!.push(time(args));

const base = median(samples["node -e ''"]!);
console.log(`node ${process.version}, ${runs} runs each, medians:`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(`  ${name.padEnd(14)} ${m.toFixed(0).padStart(5)} ms   ${(m / base).toFixed(2)}× node -e ''`);
}
