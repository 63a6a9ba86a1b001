/**
 * `Security` (`cto:security:Security`): what the `security` feature adds.
 *
 * - cert-manager (when the plan has the `cert-manager` component) and the cluster issuer the
 *   rendered ingress annotations name (ACME HTTP-01 through the platform's ingress class, or
 *   self-signed without a public ingress). The issuer is a cert-manager custom resource, so it
 *   waits for the cert-manager release (CRDs before their users).
 * - Network policies (when `features.security`): `cto-restrict-ingress` in the namespaces where
 *   the platform's own workloads run.
 *
 * The issuer and the policies are built by templates/security-objects.ts, the same functions
 * `cto render` writes them with, so the GitOps output holds the objects `cto up` creates.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import {
  clusterIssuerObject,
  LETS_ENCRYPT_ACME,
  networkPolicyObjects,
  POLICY_ROLES,
} from "../templates/security-objects.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import type { PlatformBase } from "./platform-base.js";

export { LETS_ENCRYPT_ACME, POLICY_ROLES };

export interface SecurityArgs {
  plan: Plan;
  rendered: RenderedValues;
  provider: k8s.Provider;
  base: PlatformBase;
  after?: pulumi.Input<pulumi.Resource>[];
}

export class Security extends pulumi.ComponentResource {
  public readonly certManager: k8s.helm.v3.Release | undefined;
  public readonly clusterIssuer: k8s.apiextensions.CustomResource | undefined;
  public readonly networkPolicies: k8s.networking.v1.NetworkPolicy[];
  public readonly versions: Record<string, string>;

  constructor(name: string, args: SecurityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:security:Security", name, {}, opts);
    const { plan, rendered } = args;
    this.versions = {};
    this.networkPolicies = [];

    const certManager = findComponent(plan.components, "cert-manager");
    if (certManager) {
      this.certManager = createChartRelease(name, {
        component: certManager,
        values: rendered.helmValues["cert-manager"] ?? {},
        provider: args.provider,
        parent: this,
        dependsOn: [args.base.namespace(certManager.namespace), ...(args.after ?? [])],
      });
      this.versions["cert-manager"] = certManager.chart?.version ?? "";
      const issuer = clusterIssuerObject(plan, rendered.ingress);
      if (issuer) {
        this.clusterIssuer = new k8s.apiextensions.CustomResource(`${name}-cluster-issuer`, issuer, {
          parent: this,
          provider: args.provider,
          dependsOn: [this.certManager],
        });
      }
    }

    for (const policy of networkPolicyObjects(plan)) {
      const namespace = policy.metadata.namespace as string;
      const { metadata, spec } = policy as unknown as k8s.networking.v1.NetworkPolicyArgs;
      this.networkPolicies.push(
        new k8s.networking.v1.NetworkPolicy(
          `${name}-netpol-${namespace}`,
          { metadata, spec },
          { parent: this, provider: args.provider, dependsOn: [args.base.namespace(namespace)] },
        ),
      );
    }
    this.registerOutputs({ versions: this.versions });
  }
}
