/** Plans, secrets and a build helper shared by the component tests. */
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { buildPlatform, type BuildOptions, type PlatformOutputs } from "../../stacks/program.js";
import { acmePlan, type AcmeProfile } from "../golden/acme-plans.js";
import { recordResources, settle, type RecordedResource } from "./harness.js";

/** Secret values for the acme plans: every name in `plan.secretNames`, with recognisable values. */
export function acmeSecrets(plan: Plan): PlanSecrets {
  const secrets: PlanSecrets = {};
  for (const name of plan.secretNames) secrets[name] = `secret-value-of-${name}`;
  return secrets;
}

/** A fixed random store so the rendered installation id does not change between runs. */
export const RANDOM_STORE = { "installation-id": "abcdefabcdef" };

export interface Built {
  recorded: RecordedResource[];
  outputs: PlatformOutputs;
}

/** Builds a plan under fresh mocks and waits until every resource has registered. */
export async function buildUnderMocks(
  plan: Plan,
  secrets: PlanSecrets = acmeSecrets(plan),
  options: BuildOptions = {},
): Promise<Built> {
  const recorded = await recordResources();
  const outputs = buildPlatform(plan, secrets, { randomStore: { ...RANDOM_STORE }, ...options });
  await settle();
  return { recorded, outputs };
}

/** The acme plan of a profile, modified by `change` (a deep copy: the golden plan stays intact). */
export function acme(profile: AcmeProfile, change: (plan: Plan) => void = () => {}): Plan {
  const plan = structuredClone(acmePlan(profile));
  change(plan);
  return plan;
}

/** Resolves an Output to its value (in tests only). */
export function valueOf<T>(output: { apply<U>(f: (t: T) => U): unknown }): Promise<T> {
  return new Promise((resolve) => output.apply((v: T) => resolve(v)));
}
