/**
 * `PlatformBase` (`cto:platform:PlatformBase`): the namespaces everything else installs into.
 *
 * One Namespace per distinct namespace of the plan (the platform namespace and those of the
 * enabled components), each carrying the platform labels and Pod Security Admission labels:
 * `enforce: baseline` everywhere (the monitoring namespace `privileged`, because the node
 * exporter reads host namespaces and paths), with `audit`/`warn` at `restricted` so the gap to
 * the strictest level stays visible. Other components depend on the Namespace they install into
 * (`namespace(name)`), which orders every release after its namespace without nesting.
 *
 * The registry pull secret lives in `Registry`, and network policies in `Security`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import { platformLabels } from "./labels.js";

export interface PlatformBaseArgs {
  plan: Plan;
  provider: k8s.Provider;
  /** Resources the namespaces wait for (the cluster's own setup). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Pod Security Admission level enforced in a namespace. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Namespace roles whose workloads need more than `baseline`. */
const PRIVILEGED_ROLES = new Set(["monitoring"]);

/** The distinct namespaces of a plan, sorted, each with the Pod Security level it enforces. */
export function planNamespaces(plan: Plan): { name: string; enforce: PodSecurityLevel }[] {
  const levels = new Map<string, PodSecurityLevel>([[plan.platform.namespace, "baseline"]]);
  for (const [role, namespace] of Object.entries(plan.namespaces)) {
    const level: PodSecurityLevel = PRIVILEGED_ROLES.has(role) ? "privileged" : "baseline";
    if (levels.get(namespace) !== "privileged") levels.set(namespace, level);
  }
  return [...levels.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, enforce]) => ({ name, enforce }));
}

export class PlatformBase extends pulumi.ComponentResource {
  /** Namespace resources by namespace name. */
  public readonly namespaces: Record<string, k8s.core.v1.Namespace>;
  /** Namespace names by role (the plan's `namespaces` plus `platform`). */
  public readonly namespaceNames: Record<string, string>;

  constructor(name: string, args: PlatformBaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:platform:PlatformBase", name, {}, opts);
    const { plan } = args;
    this.namespaces = {};
    for (const { name: namespace, enforce } of planNamespaces(plan)) {
      this.namespaces[namespace] = new k8s.core.v1.Namespace(
        `${name}-ns-${namespace}`,
        {
          metadata: {
            name: namespace,
            labels: {
              ...platformLabels(plan, "namespace"),
              "pod-security.kubernetes.io/enforce": enforce,
              "pod-security.kubernetes.io/audit": "restricted",
              "pod-security.kubernetes.io/warn": "restricted",
            },
          },
        },
        { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] },
      );
    }
    this.namespaceNames = { platform: plan.platform.namespace, ...plan.namespaces };
    this.registerOutputs({ namespaceNames: this.namespaceNames });
  }

  /** The Namespace resource for a namespace name; throws for a namespace the plan does not have. */
  namespace(namespace: string): k8s.core.v1.Namespace {
    const resource = this.namespaces[namespace];
    if (!resource) {
      throw new pulumi.ResourceError(`namespace ${namespace} is not among the plan's namespaces`, this);
    }
    return resource;
  }
}
