/**
 * `PlatformBase` (`cto:platform:PlatformBase`): the namespaces everything else installs into.
 *
 * One Namespace per distinct namespace of the plan, as `namespaceObjects` (templates/namespace-objects.ts)
 * builds them: the platform labels and Pod Security Admission labels (`enforce: baseline`, the
 * monitoring namespace `privileged`; `audit`/`warn` at `restricted`). `cto render --format
 * manifests` writes the same objects to `namespaces.yaml`. Other components depend on the Namespace they install into
 * (`namespace(name)`), which orders every release after its namespace without nesting.
 *
 * The registry pull secret lives in `Registry`, and network policies in `Security`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import { namespaceObjects, planNamespaces, type PodSecurityLevel } from "../templates/namespace-objects.js";

export interface PlatformBaseArgs {
  plan: Plan;
  provider: k8s.Provider;
  /** Resources the namespaces wait for (the cluster's own setup). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export { planNamespaces, type PodSecurityLevel };

export class PlatformBase extends pulumi.ComponentResource {
  /** Namespace resources by namespace name. */
  public readonly namespaces: Record<string, k8s.core.v1.Namespace>;
  /** Namespace names by role (the plan's `namespaces` plus `platform`). */
  public readonly namespaceNames: Record<string, string>;

  constructor(name: string, args: PlatformBaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:platform:PlatformBase", name, {}, opts);
    const { plan } = args;
    this.namespaces = {};
    for (const object of namespaceObjects(plan)) {
      const namespace = object.metadata.name;
      this.namespaces[namespace] = new k8s.core.v1.Namespace(
        `${name}-ns-${namespace}`,
        { metadata: object.metadata },
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
