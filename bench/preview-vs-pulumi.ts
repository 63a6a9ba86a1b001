/**
 * Benchmark: `cto preview` against a bare `pulumi preview` of the same stack, same program
 * (stacks/pulumi-main.ts, which reads the plan cto wrote into the stack config), same engine.
 * Target: cto ≤ 1.10× pulumi. Medians of several runs, interleaved.
 *
 * Needs an environment cto has already applied (`cto up`), and the toolchain:
 *
 *   npm run build && node dist/bench/preview-vs-pulumi.js DIR [ENV=dev] [RUNS=5]
 *
 * DIR holds the cto.yaml; CTO_HOME, PULUMI_BACKEND_URL etc. are taken from the environment as cto
 * would. The bare run uses a directory of its own whose Pulumi.yaml points at pulumi-main.js and
 * whose Pulumi.<env>.yaml is cto's (symlinked), with the same backend, passphrase and PATH.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ctoHome } from "../config/paths.js";
import { resolveBackend } from "../stacks/backend.js";
import { resolvePassphrase } from "../stacks/passphrase.js";
import { findPulumiCli } from "../stacks/pulumi-cli.js";
import { engineEnvironment, workDirFor } from "../stacks/workspace.js";
import { median } from "./measure.js";

const CTO = fileURLToPath(new URL("../cli/bin.js", import.meta.url));
const MAIN = fileURLToPath(new URL("../stacks/pulumi-main.js", import.meta.url));
const [dir = ".", environment = "dev", runsArg = "5"] = process.argv.slice(2);
const runs = Number(runsArg);
const cwd = path.resolve(dir);

function timed(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return s;
}

// The project name is the platform name: read it from the resolved plan.
const plan = JSON.parse(
  spawnSync(process.execPath, [CTO, "config", "show", "--resolved", "--env", environment, "--output", "json"], {
    cwd,
    encoding: "utf8",
  }).stdout,
) as { platform: { name: string }; state: { backendUrl?: string } };
const env = process.env;
const home = ctoHome(env);
const backend = resolveBackend({ state: { secretsProvider: "passphrase", ...plan.state } }, { env });
const passphrase = await resolvePassphrase({ env, file: path.join(home, "passphrase"), create: false });
const cli = await findPulumiCli({ env, home });
const workDir = workDirFor(home, plan.platform.name, backend);

const bare = mkdtempSync(path.join(os.tmpdir(), "cto-bench-bare-"));
writeFileSync(
  path.join(bare, "Pulumi.yaml"),
  `name: ${plan.platform.name}\nruntime: nodejs\nmain: ${path.relative(bare, MAIN)}\nbackend:\n  url: ${backend.url}\n`,
);
symlinkSync(path.join(workDir, `Pulumi.${environment}.yaml`), path.join(bare, `Pulumi.${environment}.yaml`));
const engineEnv = engineEnvironment({ env, backend, passphrase });
const bareEnv = {
  ...env,
  ...engineEnv,
  PATH: `${cli.binDir}${path.delimiter}${engineEnv.PATH}`,
};

const samples = { cto: [] as number[], pulumi: [] as number[] };
const ctoRun = () => timed(process.execPath, [CTO, "preview", "--env", environment], { cwd, env });
const pulumiRun = () =>
  timed(cli.path, ["preview", "--stack", environment, "--non-interactive"], { cwd: bare, env: bareEnv });
ctoRun();
pulumiRun(); // warm caches
for (let i = 0; i < runs; i++) {
  samples.cto.push(ctoRun());
  samples.pulumi.push(pulumiRun());
}
const c = median(samples.cto);
const p = median(samples.pulumi);
console.log(`preview of ${plan.platform.name}/${environment}, ${runs} runs each, medians:`);
console.log(`  cto preview     ${c.toFixed(2)} s`);
console.log(`  pulumi preview  ${p.toFixed(2)} s`);
console.log(`  ratio           ${(c / p).toFixed(2)} (target ≤ 1.10)`);
