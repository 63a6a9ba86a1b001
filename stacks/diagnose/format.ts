/** Diagnoses and health summaries as text for the terminal (plain; the CLI may colour symbols). */
import type { Diagnosis } from "./diagnose.js";
import type { HealthReport } from "./health.js";

const clip = (s: string, n = 300): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A diagnosis as an indented block: state, conditions, pods, latest events, causes with fixes, logs. */
export function renderDiagnosis(d: Diagnosis): string {
  const where = d.ref.namespace ? `${d.ref.namespace}/` : "";
  const out = [`${d.ref.kind} ${where}${d.ref.name}: ${d.state}${d.ready ? " (ready)" : ""}`];
  const badConditions = d.conditions.filter((c) => c.status !== "True" || /Failure|Failed|Error/.test(c.type));
  if (badConditions.length > 0) {
    out.push("  conditions:");
    for (const c of badConditions)
      out.push(`    ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${clip(c.message)}` : ""}`);
  }
  const notReady = d.pods.filter((p) => !p.ready);
  if (notReady.length > 0) {
    out.push("  pods:");
    for (const p of notReady)
      out.push(
        `    ${p.name} ${p.phase}${p.waiting ? `, ${p.waiting}` : ""}${p.restarts > 0 ? `, ${p.restarts} restarts` : ""}`,
      );
  }
  if (d.events.length > 0) {
    out.push("  latest events:");
    for (const e of d.events) {
      out.push(
        `    ${e.type} ${e.reason} ${e.object}${e.count > 1 ? ` (×${e.count})` : ""}${e.lastSeen ? ` ${e.lastSeen}` : ""}: ${clip(e.message)}`,
      );
    }
  }
  for (const c of d.causes) {
    out.push(`  cause: ${c.title}${c.occurrences > 1 ? ` (and ${c.occurrences - 1} more)` : ""}`);
    out.push(`    seen: ${clip(c.evidence)}`);
    out.push(`    fix: ${c.fix}`);
  }
  for (const l of d.logs) {
    out.push(`  last log lines of ${l.pod}/${l.container}${l.previous ? " (previous run)" : ""}:`);
    for (const line of l.lines) out.push(`    | ${clip(line, 200)}`);
  }
  for (const e of d.errors) out.push(`  could not read ${e}`);
  return out.join("\n");
}

/** One line per component (✓ healthy / ✗ not), each problem's diagnosis below it. */
export function renderHealth(h: HealthReport): string {
  const out: string[] = [];
  for (const c of h.components) {
    const parts = [
      c.workloads.length > 0
        ? `${c.workloads.filter((w) => w.ready).length}/${c.workloads.length} workloads ready`
        : "",
      c.crds.length > 0 ? `${c.crds.filter((x) => x.established).length}/${c.crds.length} CRDs established` : "",
      c.applications.length > 0
        ? `${c.applications.filter((a) => a.sync === "Synced" && a.health === "Healthy").length}/${c.applications.length} applications synced and healthy`
        : "",
    ].filter((p) => p !== "");
    out.push(
      `  ${c.healthy ? "✓" : "✗"}  ${c.name} (${c.namespace}): ${parts.join(", ") || c.note || "nothing to check"}`,
    );
    for (const d of c.problems) out.push(renderDiagnosis(d).replace(/^/gm, "       "));
  }
  for (const e of h.errors) out.push(`  !  could not read ${e}`);
  return out.join("\n");
}
