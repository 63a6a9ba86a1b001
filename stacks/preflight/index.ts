/**
 * Prerequisites: what must be true before `cto up` touches anything.
 *
 * ```ts
 * const report = await runPreflight(plan);           // DoctorReport
 * console.log(renderReport(report, { color: true })); // the ✓ / ✗ / ! table
 * if (!report.ok) process.exitCode = 1;               // a critical check failed
 * ```
 */
export { runPreflight, preflightChecks, summarize, type PreflightOptions } from "./registry.js";
export { renderReport, symbolOf, type RenderOptions } from "./report.js";
export { applyFixes, type FixAction, type FixOptions } from "./fix.js";
export { realProbes, type Probes } from "./probes.js";
export { planRequests, COMPONENT_REQUESTS, DEFAULT_REQUEST, type PlanRequests } from "../../profiles/requests.js";
export { PULUMI_CLI_VERSION, KUBERNETES_MIN, KUBERNETES_MAX_TESTED_MINOR } from "./versions.js";
export type { Check, CheckResult, CheckStatus, DoctorReport } from "./types.js";
