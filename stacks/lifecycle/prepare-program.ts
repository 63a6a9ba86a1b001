/** The stack config a run writes, and the program it hands to the engine. */
import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { githubAppWebhooksManaged } from "../github/webhooks-managed.js";
import { passphraseValue } from "../passphrase.js";
import {
  CONFIG_KEYS,
  CREDENTIALS_CONFIG_KEY,
  PROJECT_NAME,
  RANDOM_CONFIG_KEY,
  type ProgramRuntime,
} from "../program-config.js";
import { setSecretConfigFromStdin, writePlanConfig, type ConfigTarget } from "../secrets-config.js";
import { programInputs } from "../secrets-store.js";
import type { CtoStack } from "../workspace.js";
import type { Run } from "./engine-run.js";
import type { LifecycleOptions } from "./types.js";

/**
 * Write the stack config (plan, secrets, random store, runtime) and return the program to run.
 *
 * The platform program renders the plan first (`renderPlatform`), which fills the template random
 * store (e.g. an installation id) from the stored `cto:random`; values the render adds are saved
 * back (secret config) when the run ends, so every later run renders the same ones. Cluster inputs (kubeconfig, SSH
 * keys, kwok paths) are read here, in `stacks/`, as `stacks/pulumi-main.ts` does for plain
 * `pulumi preview`.
 */
/** `cto:runtime` for a run: the caller's settings, and whether cto sets the Apps' webhooks on GitHub. */
export function programRuntime(
  options: Pick<LifecycleOptions, "runtime" | "programFor">,
  env: NodeJS.ProcessEnv,
): ProgramRuntime {
  const runtime: ProgramRuntime = { ...(options.runtime ?? {}) };
  if (runtime.githubWebhooks === undefined && !options.programFor) {
    runtime.githubWebhooks = githubAppWebhooksManaged(env);
  }
  return runtime;
}

/** Where `writePlanConfig` writes an opened stack's config (also used by `cto pulumi`). */
export async function configTarget(cs: CtoStack): Promise<ConfigTarget> {
  return {
    name: cs.name,
    workDir: cs.workDir,
    cliPath: cs.cli.path,
    engineEnv: cs.engineEnv,
    digestKey: cs.passphrase ? await passphraseValue(cs.passphrase) : undefined,
    setAllConfig: (config: Record<string, { value: string; secret?: boolean }>) => cs.stack.setAllConfig(config),
  };
}

/**
 * Write the stack config and return the program. `record` (an update, not a preview) returns the
 * plain values cto records with the update (`cto:update`), given the config as it will be.
 */
export async function prepareProgram(
  run: Run,
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions,
  record?: (config: Record<string, unknown>, runtime: ProgramRuntime) => Record<string, string>,
): Promise<PulumiFn> {
  const cs = run.cs;
  const { env } = cs.context;
  const target = await configTarget(cs);
  const runtime = programRuntime(options, env);
  if (options.runtime?.githubWebhooks === undefined && !options.programFor) {
    if (!runtime.githubWebhooks && plan.github.webhookUrl) {
      options.onProgress?.({
        kind: "diagnostic",
        severity: "warning",
        message:
          `CTO_GITHUB_WEBHOOKS=false: cto up does not set the agents' GitHub App webhooks to ${plan.github.webhookUrl}/<agent>; ` +
          `unset it where GitHub is reachable, or set each App's webhook URL and secret on GitHub yourself`,
      });
    }
  }
  const wrote = await writePlanConfig(target, plan, secrets, runtime, record && ((config) => record(config, runtime)));
  run.configWritten = wrote.wrotePlain || wrote.wroteSecrets;
  if (options.programFor) return options.programFor(plan, secrets);

  const [{ buildPlatform }, { readClusterInputs }, { renderPlatform }, pulumi] = await Promise.all([
    import("../program.js"),
    import("../cluster-inputs.js"),
    import("../../templates/render.js"),
    import("@pulumi/pulumi"),
  ]);
  const templateEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const cluster = readClusterInputs(plan, runtime, cs.context);
  // The random store and the stored credentials are read inside the program, where the engine hands
  // over the decrypted config (reading them here would cost a CLI process, ~0.8 s of CPU); values
  // the render adds to the random store are saved after the run.
  run.afterRun = async () => {
    if (generated) await setSecretConfigFromStdin(target, CONFIG_KEYS.random, JSON.stringify(generated));
  };
  let generated: Record<string, string> | undefined;
  return async () => {
    const config = new pulumi.Config(PROJECT_NAME);
    // Credentials stored by `cto secrets set` / `cto github apps create` (cto:credentials); cto.yaml's
    // own secrets win. They are not copied into cto:secrets.
    // A stored mail.smtp_password counts as configured (programInputs).
    const built = programInputs(config.get(CREDENTIALS_CONFIG_KEY), plan, secrets, cs.name);
    const stored = config.getObject<Record<string, string>>(RANDOM_CONFIG_KEY) ?? {};
    const randomStore = { ...stored };
    const rendered = renderPlatform(built.plan, { env: templateEnv, randomStore });
    if (JSON.stringify(randomStore) !== JSON.stringify(stored)) generated = randomStore;
    const buildOptions = { rendered, randomStore, env: templateEnv, cluster, githubWebhooks: runtime.githubWebhooks };
    return buildPlatform(built.plan, built.secrets, buildOptions) as unknown as Record<string, unknown>;
  };
}
