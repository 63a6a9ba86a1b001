/**
 * Benchmark: `cto preview` against a bare `pulumi preview` of the same stack, same program
 * (stacks/pulumi-main.ts, which reads the plan cto wrote into the stack config), same engine.
 * Target: cto ≤ 1.10× pulumi. Medians of several runs, interleaved.
 *
 * Needs an environment cto has already applied (`cto up`), and the toolchain. Either let the
 * benchmark make one (a sandbox of its own: `cto init --yes --profile minimal --provider
 * simulated`, the stand-in charts from a mirror on 127.0.0.1, `cto up --yes`; destroyed and
 * removed at the end):
 *
 *   npm run build && CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) \
 *     node dist/bench/preview-vs-pulumi.js --setup [PROFILE=minimal] [RUNS=7]
 *
 * or point it at one of yours:
 *
 *   npm run build && node dist/bench/preview-vs-pulumi.js DIR [ENV=dev] [RUNS=7]
 *
 * DIR holds the cto.yaml; CTO_HOME, PULUMI_BACKEND_URL etc. are taken from the environment as cto
 * would. Besides `cto preview`, a no-op `cto up --yes` is timed in the same rounds (issue 20: its
 * fast path must beat the bare preview; checked to answer "No changes since update N" without the
 * engine). The bare run is the Pulumi CLI in the stack's own work directory, whose Pulumi.yaml (written
 * by every cto run) has pulumi-main.js as its main — the directory `cto pulumi` runs it in — with
 * cto's engine environment (backend URL as the engine gets it, passphrase, PATH). It runs the CLI
 * directly, not through `cto pulumi`, so that cto's own start-up is not counted on both sides.
 *
 * Each run records wall time, CPU time (user + sys of the command and every process it waited
 * for, from GNU time: far less sensitive to other load than wall time) and the 1-minute load
 * average around it. Rounds alternate which command goes first, so a drift in the machine's load
 * falls on both alike. Both must report the same number of unchanged/changed resources. Raw figures
 * go to bench/results/preview-vs-pulumi.json (or $CTO_BENCH_RESULTS).
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { resolvePassphrase } from "../stacks/passphrase.js";
import { runContext } from "../stacks/run-context.js";
import { engineEnvironment, workDirFor } from "../stacks/workspace.js";
import { repoRoot } from "../test/helpers/chart-repo.js";
import { CtoProject } from "../test/helpers/cto-project.js";
import { machine, median } from "./measure.js";

const CTO = fileURLToPath(new URL("../cli/bin.js", import.meta.url));
const setup = process.argv[2] === "--setup";
let dir: string;
let environment: string;
let runsArg: string;
let env: NodeJS.ProcessEnv = process.env;
let sandbox: CtoProject | undefined;
if (setup) {
  // --setup [PROFILE=minimal] [RUNS=7]
  const profile = process.argv[3] ?? "minimal";
  runsArg = process.argv[4] ?? "7";
  environment = "dev";
  sandbox = await CtoProject.create();
  await sandbox.init(profile, "bench-preview");
  await sandbox.ok("up", "--yes");
  dir = sandbox.sandbox.cwd;
  env = sandbox.env;
  console.log(`set up: ${profile} profile applied to a fresh simulated cluster in ${dir}`);
} else {
  [, , dir = ".", environment = "dev", runsArg = "7"] = process.argv;
}
const runs = Number(runsArg);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`runs must be a whole number ≥ 1, got ${JSON.stringify(runsArg)}`);
const cwd = path.resolve(dir);

const GNU_TIME = "/usr/bin/time";
const execFileAsync = promisify(execFile);

interface Sample {
  seconds: number;
  /** User + system CPU seconds of the command and the processes it waited for (GNU time). */
  cpuSeconds?: number;
  load: { start: number; end: number };
  /** What the preview reported, normalised ("26 unchanged", "1 to update, 25 unchanged"). */
  result: string;
}

// Asynchronous on purpose: with --setup the chart mirror is served from this process, and a
// synchronous spawn would block it while cto previews (the chart repository "cannot be reached").
async function timed(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
  result: (stdout: string) => string,
): Promise<Sample> {
  const useTime = existsSync(GNU_TIME);
  const timeDir = mkdtempSync(path.join(os.tmpdir(), "cto-bench-time-"));
  const timeFile = path.join(timeDir, "time");
  const [exe, ...argv] = useTime ? [GNU_TIME, "-f", "%U %S", "-o", timeFile, cmd, ...args] : [cmd, ...args];
  const loadStart = os.loadavg()[0]!;
  const t0 = process.hrtime.bigint();
  const r = await execFileAsync(exe!, argv, { ...opts, encoding: "utf8", maxBuffer: 64 << 20 }).catch(
    (e: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`${cmd} ${args.join(" ")} exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const load = { start: loadStart, end: os.loadavg()[0]! };
  let cpuSeconds: number | undefined;
  if (useTime) {
    const [user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    cpuSeconds = (user ?? 0) + (sys ?? 0);
  }
  rmSync(timeDir, { recursive: true, force: true });
  return { seconds, cpuSeconds, load, result: result(r.stdout) };
}

/** cto: "Preview of dev: no changes (26 unchanged)" / "Preview of dev: 1 to update, 25 unchanged". */
function ctoResult(stdout: string): string {
  const line = /^Preview of [^:]+: (.*)$/m.exec(stdout)?.[1] ?? "(no preview line)";
  return line.replace(/^no changes \((.*)\)$/, "$1");
}

/** pulumi: the lines under "Resources:" ("    +-1 to replace", "    25 unchanged"). */
function pulumiResult(stdout: string): string {
  const block = stdout.split(/^Resources:$/m)[1] ?? "";
  const lines = block
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^[-+~]*\s*\d+ /.test(l))
    .map((l) => l.replace(/^[-+~]+\s*/, ""));
  return lines.length > 0 ? lines.join(", ") : "(no Resources block)";
}

// The project name is the platform name: read it from the resolved plan.
const plan = JSON.parse(
  spawnSync(process.execPath, [CTO, "config", "show", "--resolved", "--env", environment, "--output", "json"], {
    cwd,
    env,
    encoding: "utf8",
  }).stdout,
) as { platform: { name: string }; state: { backendUrl?: string } };
const context = runContext({ state: { secretsProvider: "passphrase", ...plan.state } }, { env });
const { home, backend } = context;
const passphrase = await resolvePassphrase({ env, file: context.passphraseFile, create: false });
const cli = await context.pulumi();
const workDir = workDirFor(home, plan.platform.name, backend);

const project = parse(readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8")) as { main?: string };
if (!project.main || !existsSync(project.main)) {
  throw new Error(
    `${workDir}/Pulumi.yaml has no main on disk: run cto preview --env ${environment} with this build first`,
  );
}
const engineEnv = engineEnvironment({ context, passphrase });
const bareEnv = {
  ...env,
  ...engineEnv,
  PATH: `${cli.binDir}${path.delimiter}${engineEnv.PATH}`,
};

// CTO_BENCH_BASELINE: another build's cli/bin.js (e.g. of the commit before a change), timed in
// the same rounds as "cto (baseline)" for a before/after comparison under the same load.
const baseline = process.env.CTO_BENCH_BASELINE;
const commands: { name: string; run: () => Promise<Sample> }[] = [
  {
    name: "cto preview",
    run: () => timed(process.execPath, [CTO, "preview", "--env", environment], { cwd, env }, ctoResult),
  },
  {
    name: "pulumi preview",
    run: () =>
      timed(
        cli.path,
        ["preview", "--stack", environment, "--non-interactive"],
        { cwd: workDir, env: bareEnv },
        pulumiResult,
      ),
  },
  {
    name: "cto up (no-op)",
    run: () => timed(process.execPath, [CTO, "up", "--yes", "--env", environment], { cwd, env }, upResult),
  },
  ...(baseline
    ? [
        {
          name: "cto (baseline)",
          run: () => timed(process.execPath, [baseline, "preview", "--env", environment], { cwd, env }, ctoResult),
        },
      ]
    : []),
];
/** cto up: must be the fast path's answer ("No changes since update N: …"). */
function upResult(stdout: string): string {
  return /^No changes since update \d+/m.exec(stdout)?.[0] ?? `(not the fast path: ${stdout.split("\n")[0]})`;
}
const NOOP = "cto up (no-op)";
/** The same changes, however each tool words them (the no-op up is checked on its own). */
const sameChanges = (list: Sample[]) =>
  new Set(
    list
      .filter((s) => !s.result.startsWith("No changes since"))
      .map((s) => s.result.replace(/ to (create|update|replace|delete)/g, " $1")),
  ).size === 1;
const fastPath = (list: Sample[]) => list.every((s) => s.result.startsWith("No changes since update"));
// The first run of each fills caches (compile cache, page cache) and is not counted.
const warm: Record<string, Sample> = {};
for (const c of commands) warm[c.name] = await c.run();
if (!fastPath([warm[NOOP]!])) throw new Error(`the no-op cto up did not take the fast path: ${warm[NOOP]!.result}`);
if (!sameChanges(Object.values(warm))) {
  throw new Error(
    `the commands previewed different changes: ${commands.map((c) => `${c.name}: ${warm[c.name]!.result}`).join("; ")}`,
  );
}
const samples: Record<string, Sample[]> = Object.fromEntries(commands.map((c) => [c.name, []]));
for (let i = 0; i < runs; i++) {
  // Each round starts with the next command, so no command always runs right after another.
  for (let k = 0; k < commands.length; k++) {
    const c = commands[(i + k) % commands.length]!;
    samples[c.name]!.push(await c.run());
  }
}

const all = [...Object.values(samples).flat(), ...Object.values(warm)];
const consistent = sameChanges(all) && fastPath(samples[NOOP]!);
const summary = (list: Sample[]) => ({
  seconds: median(list.map((s) => s.seconds)),
  cpuSeconds: list.every((s) => s.cpuSeconds !== undefined) ? median(list.map((s) => s.cpuSeconds!)) : undefined,
});
const medians = Object.fromEntries(commands.map((c) => [c.name, summary(samples[c.name]!)]));
const c = medians["cto preview"]!;
const p = medians["pulumi preview"]!;
const loads = all.flatMap((s) => [s.load.start, s.load.end]);
const loadRange = [Math.min(...loads), Math.max(...loads)];
const fmt = (n?: number) => (n === undefined ? "n/a" : `${n.toFixed(2)} s`);
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? "n/a" : (a / b).toFixed(2));
console.log(`preview of ${plan.platform.name}/${environment} (${all[0]!.result}), ${runs} runs each, medians:`);
console.log(`                  wall      CPU       wall and CPU ratio to pulumi`);
for (const [name, m] of Object.entries(medians)) {
  console.log(
    `  ${name.padEnd(15)} ${fmt(m.seconds)}   ${fmt(m.cpuSeconds)}   ${ratio(m.seconds, p.seconds)}  ${ratio(m.cpuSeconds, p.cpuSeconds)}`,
  );
}
console.log(`  target: cto preview ≤ 1.10 × pulumi preview; no-op cto up ≤ 2 s wall`);
console.log(`  load average    ${loadRange.map((l) => l.toFixed(2)).join(" – ")}`);

const resultsFile =
  process.env.CTO_BENCH_RESULTS ?? path.join(repoRoot(), "bench", "results", "preview-vs-pulumi.json");
mkdirSync(path.dirname(resultsFile), { recursive: true });
writeFileSync(
  resultsFile,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machine(),
      stack: `${plan.platform.name}/${environment}`,
      preview: all[0]!.result,
      sameChanges: consistent,
      runs,
      baseline,
      medians,
      ratio: {
        wall: c.seconds / p.seconds,
        cpu: c.cpuSeconds && p.cpuSeconds ? c.cpuSeconds / p.cpuSeconds : undefined,
      },
      noopUpRatio: {
        wall: medians[NOOP]!.seconds / p.seconds,
        cpu: medians[NOOP]!.cpuSeconds && p.cpuSeconds ? medians[NOOP]!.cpuSeconds! / p.cpuSeconds : undefined,
      },
      loadRange,
      warm,
      samples,
    },
    null,
    2,
  )}\n`,
);
console.log(`  raw figures     ${resultsFile}`);
if (!consistent) {
  console.error(
    `error: the previews did not all report the same changes, or a no-op up ran the engine (see "result" in ${resultsFile})`,
  );
  process.exitCode = 1;
}
if (sandbox) {
  const destroyed = await sandbox.cto(["destroy", "--yes"]);
  if (destroyed.code !== 0) console.error(`cto destroy exited ${destroyed.code}: ${destroyed.stderr.slice(-400)}`);
  await sandbox.cleanup();
}
