/**
 * Kubernetes Secrets of the platform, built from their rendered description (`RenderedSecret`:
 * name, namespace, type, key → stack secret name) and the stack's secret values.
 *
 * Values are wrapped in `pulumi.secret` so they are encrypted in state and never printed. A key
 * whose stack secret is not set is left out of the Secret (and reported by `missing`), so the
 * platform can be installed before, say, a GitHub App exists; `cto github apps create` adds the
 * key later and the next `cto up` fills it in.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import type { RenderedSecret } from "../templates/rendered.js";
import { platformLabels } from "./labels.js";

/** Values for a Secret's keys, and the stack secret names that were not available. */
export interface ResolvedSecretKeys {
  values: Record<string, pulumi.Input<string>>;
  missing: string[];
}

/**
 * Looks up each key's stack secret. `known` supplies non-secret values that share the key naming
 * (e.g. a GitHub App id from the plan) and Outputs generated in the program (a generated webhook
 * secret). For a Secret with `openKeys`, every stack secret named `<purpose>.<KEY>` adds key `KEY`.
 */
export function resolveSecretKeys(
  purpose: string,
  spec: RenderedSecret,
  secrets: PlanSecrets,
  known: Record<string, pulumi.Input<string>> = {},
): ResolvedSecretKeys {
  const values: Record<string, pulumi.Input<string>> = {};
  const missing: string[] = [];
  for (const [key, source] of Object.entries(spec.keys)) {
    const value = secrets[source] ?? known[source];
    if (value === undefined) missing.push(source);
    else values[key] = value;
  }
  if (spec.openKeys) {
    const prefix = `${purpose}.`;
    for (const [name, value] of Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b))) {
      if (name.startsWith(prefix) && name.length > prefix.length) values[name.slice(prefix.length)] = value;
    }
  }
  return { values, missing };
}

export interface PlatformSecretArgs {
  plan: Plan;
  spec: RenderedSecret;
  values: Record<string, pulumi.Input<string>>;
  provider: k8s.Provider;
  parent: pulumi.Resource;
  dependsOn: pulumi.Input<pulumi.Resource>[];
  /** `app.kubernetes.io/component` label. */
  component: string;
}

/** Creates one platform Secret; every value is a Pulumi secret. */
export function createPlatformSecret(name: string, args: PlatformSecretArgs): k8s.core.v1.Secret {
  const stringData: Record<string, pulumi.Input<string>> = {};
  for (const [key, value] of Object.entries(args.values)) stringData[key] = pulumi.secret(value);
  return new k8s.core.v1.Secret(
    name,
    {
      metadata: {
        name: args.spec.name,
        namespace: args.spec.namespace,
        labels: platformLabels(args.plan, args.component),
      },
      type: args.spec.type,
      // An empty stringData is not stored by the API server, so the provider would see a diff
      // (and replace the Secret) on every update: leave it out until a key has a value.
      stringData: Object.keys(stringData).length > 0 ? stringData : undefined,
    },
    { parent: args.parent, provider: args.provider, dependsOn: args.dependsOn },
  );
}
