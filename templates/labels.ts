/**
 * Labels of the Kubernetes objects cto creates itself. Every object of the platform carries the
 * plan's labels (`cto.dev/platform: <platform name>`, the mark destroy, status and the drills find
 * it by); the objects cto creates itself, and only those, also say `app.kubernetes.io/managed-by:
 * cto` and `app.kubernetes.io/part-of: <platform name>`. Charts get only the plan's labels, so
 * they keep their own `app.kubernetes.io/*` labels (see templates/values/).
 *
 * Here in templates/ because the objects cto builds in code (security-objects.ts,
 * namespace-objects.ts) are built once for both `cto up` (the components) and `cto render`;
 * components/labels.ts re-exports it.
 */
import { PLATFORM_LABEL, type Plan } from "../profiles/plan.js";

export { PLATFORM_LABEL };
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const MANAGED_BY = "cto";

/** Labels of an object cto creates, plus `app.kubernetes.io/component` when a component is named. */
export function platformLabels(plan: Plan, component?: string): Record<string, string> {
  return {
    ...plan.platform.labels,
    [PLATFORM_LABEL]: plan.platform.name,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [PART_OF_LABEL]: plan.platform.name,
    ...(component ? { [COMPONENT_LABEL]: component } : {}),
  };
}
