/**
 * The objects the `security` feature adds besides cert-manager's chart, built here once for both
 * `cto up` (components/security.ts creates them) and `cto render` (templates/to-directory.ts
 * writes them to `security/`), so the GitOps output holds the same objects `up` creates:
 *
 * - `clusterIssuerObject`: the cert-manager ClusterIssuer the rendered ingress annotations name
 *   (`rendered.ingress.tls.clusterIssuer`), when the plan installs cert-manager. With a public
 *   ingress it is ACME (Let's Encrypt by default) solving HTTP-01 through the platform's ingress
 *   class; without one it is self-signed, so in-cluster TLS still works.
 * - `networkPolicyObjects`: with `features.security`, one `cto-restrict-ingress` NetworkPolicy in
 *   each namespace where the platform's own workloads run (platform, Argo CD, Argo): ingress only
 *   from pods of the same namespace, the other namespaces of this platform (by the labels
 *   namespace-objects.ts gives them), the ingress controller's namespace and kube-system.
 *   Operator namespaces are left open because the API server calls their admission webhooks from
 *   addresses no namespace selector matches.
 */
import type { Plan } from "../profiles/plan.js";
import { MANAGED_BY, MANAGED_BY_LABEL, PART_OF_LABEL, platformLabels } from "./labels.js";
import type { PlatformObject } from "./platform-objects.js";
import type { RenderedIngress } from "./rendered.js";

/** Let's Encrypt's production ACME directory. */
export const LETS_ENCRYPT_ACME = "https://acme-v02.api.letsencrypt.org/directory";

/** Plan components that are ingress controllers, by `platform.ingress_type`. */
export const INGRESS_CONTROLLERS = { nginx: "ingress-nginx", traefik: "traefik" } as const;

/** Namespace roles whose ingress traffic is restricted. */
export const POLICY_ROLES = ["platform", "argocd", "argo"] as const;

/** Name of the NetworkPolicy in each restricted namespace. */
export const NETWORK_POLICY_NAME = "cto-restrict-ingress";

/** Namespace the ingress controller usually runs in when cto does not install it, by ingress type. */
const INGRESS_NAMESPACES: Record<string, string> = { nginx: "ingress-nginx", traefik: "kube-system" };

/** The plan component of cert-manager, when the plan installs it. */
export function certManagerComponent(plan: Plan): Plan["components"][number] | undefined {
  return plan.components.find((c) => c.name === "cert-manager");
}

/**
 * The ClusterIssuer every Ingress's `cert-manager.io/cluster-issuer` annotation names; undefined
 * when the plan installs no cert-manager or the ingress names no issuer.
 */
export function clusterIssuerObject(plan: Plan, ingress: RenderedIngress): PlatformObject | undefined {
  const issuerName = ingress.tls.clusterIssuer;
  if (!certManagerComponent(plan) || !issuerName) return undefined;
  const acme = ingress.enabled && ingress.className;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: issuerName, labels: platformLabels(plan, "security") },
    spec: acme
      ? {
          acme: {
            server: LETS_ENCRYPT_ACME,
            privateKeySecretRef: { name: `${issuerName}-account-key` },
            solvers: [{ http01: { ingress: { ingressClassName: ingress.className } } }],
          },
        }
      : { selfSigned: {} },
  };
}

/** The namespaces whose ingress is restricted, sorted (none without `features.security`). */
export function restrictedNamespaces(plan: Plan): string[] {
  if (!plan.features.security) return [];
  const names = { platform: plan.platform.namespace, ...plan.namespaces } as Record<string, string | undefined>;
  return [...new Set(POLICY_ROLES.map((role) => names[role]).filter((n): n is string => !!n))].sort();
}

/** One `cto-restrict-ingress` NetworkPolicy per restricted namespace, sorted by namespace. */
export function networkPolicyObjects(plan: Plan): PlatformObject[] {
  // The namespace cto installs the controller into (its plan component), else where it usually runs.
  const type = plan.platform.ingressType;
  const ingressNamespace =
    (type === "none" ? undefined : plan.components.find((c) => c.name === INGRESS_CONTROLLERS[type])?.namespace) ??
    INGRESS_NAMESPACES[type];
  const allowedNamespaces = [...new Set(["kube-system", ...(ingressNamespace ? [ingressNamespace] : [])])];
  return restrictedNamespaces(plan).map((namespace) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: NETWORK_POLICY_NAME, namespace, labels: platformLabels(plan, "security") },
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
                matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: allowedNamespaces }],
              },
            },
          ],
        },
      ],
    },
  }));
}
