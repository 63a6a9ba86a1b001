/**
 * The `main` of the `Pulumi.yaml` in each stack's work directory (`projectSettingsFor` in
 * `stacks/workspace.ts`): the same program `cto` runs through the Automation API, reading its
 * inputs from the stack configuration `cto` wrote (`stacks/program-config.ts`), so the plain
 * Pulumi CLI there — `cto pulumi --env <env> -- preview` — shows what `cto up` would do.
 *
 * The stack outputs are this module's default export's result (Pulumi's Node.js runtime calls a
 * default-exported function and exports what it returns).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { readClusterInputs } from "./cluster-inputs.js";
import { buildPlatform, type PlatformOutputs } from "./program.js";
import {
  CONFIG_KEYS,
  CREDENTIALS_CONFIG_KEY,
  PLAN_CONFIG_KEY,
  PROJECT_NAME,
  RANDOM_CONFIG_KEY,
  RUNTIME_CONFIG_KEY,
  SECRETS_CONFIG_KEY,
  type ProgramRuntime,
} from "./program-config.js";
import { runContext } from "./run-context.js";
import { programInputs } from "./secrets-store.js";

/** Reads the plan, secrets, random store and runtime settings from stack config and builds. */
export default function main(): PlatformOutputs {
  const config = new pulumi.Config(PROJECT_NAME);
  const plan = config.getObject<Plan>(PLAN_CONFIG_KEY);
  if (!plan) {
    throw new Error(
      `stack ${pulumi.getStack()} has no ${CONFIG_KEYS.plan}: it was not created by cto. Run \`cto up --env ${pulumi.getStack()}\` first.`,
    );
  }
  // Secret config arrives decrypted in the program; buildPlatform wraps every use in pulumi.secret.
  // Stored credentials (cto secrets set) join the plan's secrets as they do for cto itself.
  const planSecrets = config.getObject<PlanSecrets>(SECRETS_CONFIG_KEY) ?? {};
  const { plan: built, secrets } = programInputs(
    config.get(CREDENTIALS_CONFIG_KEY),
    plan,
    planSecrets,
    pulumi.getStack(),
  );
  const randomStore = config.getObject<Record<string, string>>(RANDOM_CONFIG_KEY) ?? {};
  const runtime = config.getObject<ProgramRuntime>(RUNTIME_CONFIG_KEY) ?? {};
  return buildPlatform(built, secrets, {
    randomStore,
    env: process.env,
    // This program runs in its own process (the plain Pulumi CLI started it): its edge is here,
    // so it resolves the run's context itself, as cto's CLI does at its own.
    cluster: readClusterInputs(built, runtime, runContext(built, { env: process.env })),
    githubWebhooks: runtime.githubWebhooks ?? true,
  });
}
