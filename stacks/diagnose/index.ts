/**
 * When something gets stuck: name the object, its conditions, its latest events, and the fix.
 *
 * ```ts
 * const d = await diagnose(kubeconfig, { kind: "Deployment", name: "argocd-server", namespace: "argocd" });
 * console.log(renderDiagnosis(d));                  // state, events, causes with fixes, last logs
 * const h = await componentHealth(kubeconfig, plan); // per component, for `cto status`
 * console.log(renderHealth(h)); if (!h.healthy) process.exitCode = 1;
 * ```
 */
export {
  diagnose,
  resolveKind,
  type Diagnosis,
  type DiagnoseOptions,
  type ObjectRef,
  type EventSummary,
  type LogExcerpt,
  type PodSummary,
} from "./diagnose.js";
export {
  componentHealth,
  COMPONENT_CRDS,
  type ComponentHealth,
  type HealthReport,
  type HealthOptions,
} from "./health.js";
export { renderDiagnosis, renderHealth } from "./format.js";
export { findCauses, RULES, type Cause, type Signal } from "./causes.js";
export { Kubectl, classifyKubectlError, type KubeTarget, type KubeError, type KubeResult } from "./kubectl.js";
export { runCommand, type CommandRunner, type CommandResult } from "./run.js";
