/**
 * Each agent's App webhook secret, as the platform holds it, for `cto github test-webhook` and
 * `cto github status`: the stored credential `github.apps.<agent>.webhook_secret` (written by `cto
 * github apps create` or `cto secrets set`), else the one `cto up` generated in the stack state
 * for an App that has none stored (the stack output `appWebhookSecrets`, a secret). Values are
 * returned to the caller only, never printed.
 */
import type { Plan } from "../../profiles/plan.js";
import type { SecretsStore } from "../secrets-store.js";
import { appSecretName } from "./credentials.js";

/** The stack output (a secret map, agent → secret) `stacks/program.ts` exports. */
export const APP_WEBHOOK_SECRETS_OUTPUT = "appWebhookSecrets";

export interface AppWebhookSecret {
  value: string;
  /** `stored`: a credential of the stack; `generated`: made by `cto up`, kept in the stack state. */
  source: "stored" | "generated";
}

/**
 * The webhook secret of each of `agents` that has one (absent: none stored and no `cto up` has run).
 * `generatedOutputs` reads the stack output; it is only called when a stored one is missing.
 */
export async function appWebhookSecrets(
  store: SecretsStore,
  agents: string[],
  generatedOutputs: () => Promise<Record<string, unknown> | undefined>,
): Promise<Record<string, AppWebhookSecret>> {
  const stored = await store.getMany(agents.map((a) => appSecretName(a, "webhookSecret")));
  const out: Record<string, AppWebhookSecret> = {};
  const missing: string[] = [];
  for (const agent of agents) {
    const value = stored[appSecretName(agent, "webhookSecret")];
    if (value) out[agent] = { value, source: "stored" };
    else missing.push(agent);
  }
  if (missing.length === 0) return out;
  const generated = (await generatedOutputs()) ?? {};
  for (const agent of missing) {
    const value = generated[agent];
    if (typeof value === "string" && value !== "") out[agent] = { value, source: "generated" };
  }
  return out;
}

/**
 * The `appWebhookSecrets` output of the environment's stack (decrypted), or undefined when the
 * stack does not exist or has not been brought up. The stack is never created here.
 */
export async function generatedAppWebhookSecrets(
  plan: Plan,
  options: { env?: NodeJS.ProcessEnv; home?: string } = {},
): Promise<Record<string, unknown> | undefined> {
  const { openStack } = await import("../workspace.js");
  let outputs: Record<string, { value: unknown }>;
  try {
    const cs = await openStack(plan, {}, { env: options.env, home: options.home, create: false });
    outputs = await cs.stack.outputs();
  } catch {
    return undefined;
  }
  const value = outputs[APP_WEBHOOK_SECRETS_OUTPUT]?.value;
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}
