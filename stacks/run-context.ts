/**
 * What one run of cto works with, worked out once from the environment and the plan: cto's home,
 * the offline toolchain's bin, the state backend, where a generated passphrase lives, and the
 * Pulumi CLI (looked up on first use, then kept). The CLI resolves it at its edge (`cli/plan.ts`)
 * and passes it down (`LifecycleOptions.context`, `OpenStackOptions.context`), so nothing below
 * re-derives any of it; code called without one (tests, benchmarks) gets one built from `env` by
 * `contextFor`, the only place that does so.
 */
import path from "node:path";
import { ctoHome } from "../config/paths.js";
import { toolchainBinDir } from "../config/toolchain.js";
import type { Plan } from "../profiles/plan.js";
import { resolveBackend, type Backend } from "./backend.js";
import { PASSPHRASE_FILE_NAME } from "./passphrase.js";
import { findPulumiCli, type PulumiCli } from "./pulumi-cli.js";

export interface RunContext {
  env: NodeJS.ProcessEnv;
  /** cto's home: `$CTO_HOME`, else `~/.cto`. */
  home: string;
  /** The offline toolchain's bin directory (`config/toolchain.ts`), if one is built. */
  toolchainBin?: string;
  /**
   * Where the plan's stacks keep their state (`backend.ts`). Worked out on first read (a URL cto
   * cannot use throws its `UserError` there, so commands that never touch the state do not fail on it).
   */
  readonly backend: Backend;
  /** The passphrase file used when neither `PULUMI_CONFIG_PASSPHRASE` nor `…_FILE` is set. */
  passphraseFile: string;
  /** The Pulumi CLI to drive (`pulumi-cli.ts`): looked up on the first call, the same answer after. */
  pulumi(): Promise<PulumiCli>;
}

/** The run's context for a plan. `home` and `cli` override what `env` would give. */
export function runContext(
  plan: Pick<Plan, "state">,
  options: { env?: NodeJS.ProcessEnv; home?: string; cli?: PulumiCli } = {},
): RunContext {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const toolchainBin = toolchainBinDir(env);
  let backend: Backend | undefined;
  let cli: Promise<PulumiCli> | undefined = options.cli ? Promise.resolve(options.cli) : undefined;
  return {
    env,
    home,
    toolchainBin,
    get backend() {
      return (backend ??= resolveBackend(plan, { env }));
    },
    passphraseFile: path.join(home, PASSPHRASE_FILE_NAME),
    pulumi: () => {
      cli ??= findPulumiCli({ env, home, toolchainBin: toolchainBin ?? null });
      // A failed lookup (no CLI yet) is not kept: the next call looks again (after an install).
      cli.catch(() => (cli = undefined));
      return cli;
    },
  };
}

/** What a library entry point accepts instead of a context (tests and benchmarks call them so). */
export interface ContextOptions {
  context?: RunContext;
  env?: NodeJS.ProcessEnv;
  home?: string;
  cli?: PulumiCli;
}

/** The context the caller resolved, else one built from its `env`, `home` and `cli`. */
export function contextFor(plan: Pick<Plan, "state">, options: ContextOptions = {}): RunContext {
  return options.context ?? runContext(plan, options);
}
