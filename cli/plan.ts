/**
 * Config file → plan, the way every command that needs a plan gets one: load and validate
 * cto.yaml, load the profile catalogue, resolve for the environment, and resolve the run's context
 * (cto's home, toolchain, backend, passphrase file, Pulumi CLI: `stacks/run-context.ts`) once, here,
 * for everything the command calls below. Imported lazily by actions.
 */
import { dirname } from "node:path";
import { loadConfig } from "../config/load.js";
import type { CtoConfig } from "../config/schema.js";
import { ctoHome } from "../config/paths.js";
import { loadCatalog } from "../profiles/load.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { resolvePlan } from "../profiles/resolve.js";
import { runContext, type RunContext } from "../stacks/run-context.js";
import { DEFAULT_ENVIRONMENT, existingConfigFile, type CommandIO, type FileOption } from "./context.js";

export interface PlanOptions extends FileOption {
  env?: string;
  /** Overrides the profile the config (or its environment) names. */
  profile?: string;
  /** Resolve against this platform release instead of the config's (an upgrade's target). */
  release?: string;
}

export interface LoadedPlan {
  file: string;
  config: CtoConfig;
  plan: Plan;
  /** Secret values by name: hand them to the stack, never print them. */
  secrets: PlanSecrets;
  /** The run's context: pass it to everything below instead of re-deriving home, backend, CLI. */
  context: RunContext;
}

export async function loadPlan(options: PlanOptions, io: Pick<CommandIO, "cwd" | "env">): Promise<LoadedPlan> {
  const file = existingConfigFile(options, io);
  const config = await loadConfig(file, { env: io.env });
  const home = ctoHome(io.env);
  const { plan, secrets } = await resolvePlan(
    config,
    {
      environment: options.env ?? DEFAULT_ENVIRONMENT,
      profile: options.profile,
      ...(options.release !== undefined ? { release: options.release } : {}),
      home,
      baseDir: dirname(file),
      file,
      env: io.env,
    },
    await loadCatalog(),
  );
  if (config.github.webhook_secret !== undefined) {
    process.stderr.write(
      `warning: ${file}: github.webhook_secret is no longer used: each agent's GitHub App has its own webhook secret (github.apps.<agent>.webhook_secret, docs/github.md); delete this line\n`,
    );
  }
  return { file, config, plan, secrets, context: runContext(plan, { env: io.env, home }) };
}
