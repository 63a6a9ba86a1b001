/**
 * Labels every Kubernetes object created by cto carries. The plan's labels come first (they already
 * hold `app.kubernetes.io/managed-by` and `app.kubernetes.io/part-of`, rendered from the user's
 * platform name); the two identifying labels are enforced here so a plan written by hand cannot
 * leave them out.
 */
import type { Plan } from "../profiles/plan.js";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const MANAGED_BY = "cto";

/** The platform labels, plus `app.kubernetes.io/component` when a component is named. */
export function platformLabels(plan: Plan, component?: string): Record<string, string> {
  return {
    ...plan.platform.labels,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [PART_OF_LABEL]: plan.platform.labels[PART_OF_LABEL] ?? plan.platform.name,
    ...(component ? { [COMPONENT_LABEL]: component } : {}),
  };
}
