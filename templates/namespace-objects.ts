/**
 * The platform's Namespaces, one per distinct namespace of the plan (the platform namespace and
 * those of the enabled components): the objects `cto up` creates (components/platform-base.ts)
 * and `cto render --format manifests` writes (`namespaces.yaml`), built here once for both.
 *
 * Each carries the platform labels (the network policies of security-objects.ts let in the
 * namespaces that carry them) and Pod Security Admission labels: `enforce: baseline` everywhere
 * (the monitoring namespace `privileged`, because the node exporter reads host namespaces and
 * paths), with `audit`/`warn` at `restricted` so the gap to the strictest level stays visible.
 */
import type { Plan } from "../profiles/plan.js";
import { platformLabels } from "./labels.js";
import type { PlatformObject } from "./platform-objects.js";

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

/** The Namespace objects of a plan, sorted by name. */
export function namespaceObjects(plan: Plan): PlatformObject[] {
  return planNamespaces(plan).map(({ name, enforce }) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...platformLabels(plan, "namespace"),
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    },
  }));
}
