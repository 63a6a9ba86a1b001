/**
 * The stack configuration the infrastructure program reads: the contract between the lifecycle
 * (which writes it through the Automation API) and `stacks/pulumi-main.ts` (which reads it when a
 * user runs the plain Pulumi CLI on the stack: `cto pulumi --env <env> -- preview`).
 *
 * All keys live in the `cto` config namespace, so on disk they read `cto:plan`, `cto:secrets`, ...
 */

/** Pulumi project name, and therefore the config namespace of every key below. */
export const PROJECT_NAME = "cto";

/** `cto:plan` — the resolved `Plan` as JSON (plain config: a plan never holds secret values). */
export const PLAN_CONFIG_KEY = "plan";

/** `cto:secrets` — `PlanSecrets` (secret name → value) as JSON, stored as **secret** config. */
export const SECRETS_CONFIG_KEY = "secrets";

/**
 * `cto:random` — the template random store (`renderPlatform`'s `randomStore`, e.g. the
 * installation id) as JSON, stored as **secret** config. Persist what a render generated, so every
 * later run renders the same values; without it each run would generate new ones and show a diff.
 */
export const RANDOM_CONFIG_KEY = "random";

/**
 * `cto:credentials` — credentials stored by `cto secrets set` / `cto github apps create` (name →
 * value) as JSON, stored as **secret** config; see `stacks/secrets-store.ts`.
 */
export const CREDENTIALS_CONFIG_KEY = "credentials";

/**
 * `cto:runtime` — host-specific settings that are not part of the plan, as JSON (plain config).
 * See `ProgramRuntime`.
 */
export const RUNTIME_CONFIG_KEY = "runtime";

/** Fully qualified keys, as used with `stack.setConfig` / `pulumi config set`. */
export const CONFIG_KEYS = {
  plan: `${PROJECT_NAME}:${PLAN_CONFIG_KEY}`,
  secrets: `${PROJECT_NAME}:${SECRETS_CONFIG_KEY}`,
  random: `${PROJECT_NAME}:${RANDOM_CONFIG_KEY}`,
  runtime: `${PROJECT_NAME}:${RUNTIME_CONFIG_KEY}`,
  credentials: `${PROJECT_NAME}:${CREDENTIALS_CONFIG_KEY}`,
} as const;

/** Settings of the machine that runs the program (`cto:runtime`); every field is optional. */
export interface ProgramRuntime {
  /** Directory holding kwok/kube-apiserver/etcd binaries for the `simulated` cluster provider. */
  binDir?: string;
  /** Working directory for the `simulated` cluster (kwokctl's KWOK_WORKDIR). */
  workdir?: string;
  /**
   * Set the agents' GitHub App webhooks (URL and secret) on GitHub (default true); false with
   * `CTO_GITHUB_WEBHOOKS=false`, where GitHub cannot be reached.
   */
  githubWebhooks?: boolean;
}
