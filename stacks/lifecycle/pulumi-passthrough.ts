/**
 * `cto pulumi`: the plain Pulumi CLI on an environment's stack, set up as cto sets up its own runs.
 *
 * - the CLI cto itself uses (`pulumi-cli.ts`), run in the stack's work directory, whose
 *   `Pulumi.yaml` runs cto's built program (`stacks/pulumi-main.ts`, see `projectSettingsFor`);
 * - the stack config written first, as `cto preview` writes it (plan, runtime, secrets through
 *   stdin), so the program sees what cto.yaml says now;
 * - the stack selected (`pulumi stack select`), so the arguments need no `--stack`;
 * - the engine environment of every cto run (`engineEnvironment`): backend URL, the passphrase as
 *   PULUMI_CONFIG_PASSPHRASE_FILE (or the caller's PULUMI_CONFIG_PASSPHRASE), never on argv,
 *   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true, PATH to the plugins, cto's TMPDIR.
 *
 * The CLI gets the caller's terminal (stdin, stdout, stderr) and its exit code is returned as is.
 */
import { spawn } from "node:child_process";
import { UserError } from "../../config/errors.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { contextFor } from "../run-context.js";
import { writePlanConfig } from "../secrets-config.js";
import { cliProcessEnv, programMainFile } from "../workspace.js";
import { openExplained } from "./engine-run.js";
import { configTarget, programRuntime } from "./prepare-program.js";
import type { LifecycleOptions } from "./types.js";

export interface PassthroughOptions extends Pick<LifecycleOptions, "context" | "env" | "home" | "cli" | "runtime"> {
  /** Told once the stack is ready, before the CLI starts (what runs where; no secret). */
  onStart?: (info: { workDir: string; stack: string; project: string; command: string[] }) => void;
  /** Default: inherit the caller's stdin, stdout and stderr. */
  stdio?: "inherit" | "ignore";
}

/** Arguments that would point the CLI at another stack than `--env`'s: refused. */
export function stackArgument(args: string[]): string | undefined {
  return args.find((a) => a === "--stack" || a === "-s" || a.startsWith("--stack=") || /^-s\S/.test(a));
}

/** Run `pulumi ...args` on the plan's stack; resolves to the CLI's exit code (128 + n for a signal). */
export async function runPulumi(
  plan: Plan,
  secrets: PlanSecrets,
  args: string[],
  options: PassthroughOptions = {},
): Promise<number> {
  const given = stackArgument(args);
  if (given) {
    throw new UserError(`cto pulumi runs on the stack of --env; ${given} is not accepted`, {
      hint: `choose the environment with cto pulumi --env ENV -- … (cto stacks lists them)`,
    });
  }
  if (!programMainFile()) {
    throw new UserError("this cto has no program file on disk for the plain Pulumi CLI to run (a standalone build)", {
      hint: "install cto from npm (npm install --global cto) to use cto pulumi",
      exitCode: 1,
    });
  }
  const context = contextFor(plan, options);
  const env = context.env;
  const cs = await openExplained(plan, secrets, { context, create: false });
  await writePlanConfig(await configTarget(cs), plan, secrets, programRuntime({ runtime: options.runtime }, env));
  await cs.workspace.selectStack(cs.name);
  options.onStart?.({ workDir: cs.workDir, stack: cs.name, project: cs.project, command: [cs.cli.path, ...args] });
  return spawnCli(cs.cli.path, args, {
    cwd: cs.workDir,
    env: cliProcessEnv(cs, env),
    stdio: options.stdio ?? "inherit",
  });
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/**
 * The CLI with the caller's terminal. Ctrl-C at a terminal reaches it directly (same process
 * group), so cto only waits for it to stop; without a terminal SIGINT is passed on, as SIGTERM is.
 */
function spawnCli(
  exe: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; stdio: "inherit" | "ignore" },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, opts);
    const onInt = (): void => void (process.stdin.isTTY ? undefined : child.kill("SIGINT"));
    const onTerm = (): void => void child.kill("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const done = (): void => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
    child.on("error", (err) => {
      done();
      reject(err);
    });
    child.on("close", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? (SIGNALS[signal] ?? 1) : 1));
    });
  });
}
