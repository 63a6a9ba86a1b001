/**
 * `Security` (`cto:security:Security`): what the `security` feature adds.
 *
 * - cert-manager (when the plan has the `cert-manager` component) and the cluster issuer the
 *   rendered ingress annotations name. With a public ingress the issuer is ACME (Let's Encrypt
 *   by default, any ACME directory through `acmeServer`) solving HTTP-01 through the platform's
 *   ingress class; without one it is a self-signed issuer, so in-cluster TLS still works. The
 *   issuer is a cert-manager custom resource, so it waits for the cert-manager release (CRDs
 *   before their users).
 * - Network policies (when `features.security`): in the namespaces where the platform's own
 *   workloads run (platform, Argo CD, Argo), ingress is limited to pods of the same namespace,
 *   the other namespaces of this platform, the ingress controller's namespace and kube-system.
 *   Operator namespaces are left open because the API server calls their admission webhooks
 *   from addresses no namespace selector matches.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import { INGRESS_CONTROLLERS } from "./ingress.js";
import { MANAGED_BY, MANAGED_BY_LABEL, PART_OF_LABEL, platformLabels } from "./labels.js";
import type { PlatformBase } from "./platform-base.js";

/** Let's Encrypt's production ACME directory. */
export const LETS_ENCRYPT_ACME = "https://acme-v02.api.letsencrypt.org/directory";

/** Namespace roles whose ingress traffic is restricted. */
export const POLICY_ROLES = ["platform", "argocd", "argo"] as const;

/** Namespace the ingress controller runs in, by ingress type. */
const INGRESS_NAMESPACES: Record<string, string> = { nginx: "ingress-nginx", traefik: "kube-system" };

export interface SecurityArgs {
  plan: Plan;
  rendered: RenderedValues;
  provider: k8s.Provider;
  base: PlatformBase;
  after?: pulumi.Input<pulumi.Resource>[];
  /**
   * ACME directory of the cluster issuer.
   * @default LETS_ENCRYPT_ACME
   */
  acmeServer?: string;
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
      const issuerName = rendered.ingress.tls.clusterIssuer;
      if (issuerName) {
        const acme = rendered.ingress.enabled && rendered.ingress.className;
        this.clusterIssuer = new k8s.apiextensions.CustomResource(
          `${name}-cluster-issuer`,
          {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: issuerName, labels: platformLabels(plan, "security") },
            spec: acme
              ? {
                  acme: {
                    server: args.acmeServer ?? LETS_ENCRYPT_ACME,
                    privateKeySecretRef: { name: `${issuerName}-account-key` },
                    solvers: [{ http01: { ingress: { ingressClassName: rendered.ingress.className } } }],
                  },
                }
              : { selfSigned: {} },
          },
          { parent: this, provider: args.provider, dependsOn: [this.certManager] },
        );
      }
    }

    if (plan.features.security) {
      const names = { platform: plan.platform.namespace, ...plan.namespaces } as Record<string, string | undefined>;
      const namespaces = [...new Set(POLICY_ROLES.map((role) => names[role]).filter((n): n is string => !!n))].sort();
      // The namespace cto installs the controller into (its plan component), else where it usually runs.
      const type = plan.platform.ingressType;
      const ingressNamespace =
        (type === "none" ? undefined : findComponent(plan.components, INGRESS_CONTROLLERS[type])?.namespace) ??
        INGRESS_NAMESPACES[type];
      const allowedNamespaces = [...new Set(["kube-system", ...(ingressNamespace ? [ingressNamespace] : [])])];
      for (const namespace of namespaces) {
        this.networkPolicies.push(
          new k8s.networking.v1.NetworkPolicy(
            `${name}-netpol-${namespace}`,
            {
              metadata: { name: "cto-restrict-ingress", namespace, labels: platformLabels(plan, "security") },
              spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [
                  {
                    from: [
                      { podSelector: {} },
                      {
                        namespaceSelector: {
                          matchLabels: {
                            [MANAGED_BY_LABEL]: MANAGED_BY,
                            [PART_OF_LABEL]: platformLabels(plan)[PART_OF_LABEL] as string,
                          },
                        },
                      },
                      {
                        namespaceSelector: {
                          matchExpressions: [
                            { key: "kubernetes.io/metadata.name", operator: "In", values: allowedNamespaces },
                          ],
                        },
                      },
                    ],
                  },
                ],
              },
            },
            { parent: this, provider: args.provider, dependsOn: [args.base.namespace(namespace)] },
          ),
        );
      }
    }
    this.registerOutputs({ versions: this.versions });
  }
}
