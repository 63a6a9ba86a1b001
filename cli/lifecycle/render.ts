/** How lifecycle results look on the terminal and in `--json`: the preview, change tables, CRD cleanup. */
import type { CrdCleanup } from "../../stacks/crds.js";
import type { PlannedStep, PreviewReport, UpdateReport } from "../../stacks/lifecycle/index.js";
import { describeChanges, formatSeconds, renderFinalTable, table } from "../../stacks/progress.js";
import type { LifecycleIO } from "./session.js";

const OP_SYMBOL: Record<string, string> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
  "create-replacement": "+-",
  "delete-replaced": "+-",
};

/** Values of a step's changed properties, for `--diff` (secret values show as [secret]). */
function shown(value: unknown): string {
  if (value === undefined) return "(none)";
  if (value && typeof value === "object" && "4dabf18193072939515e22adb298388d" in value) return "[secret]";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The preview grouped by component, with stateful replacements called out. */
export function renderPreview(
  report: PreviewReport,
  opts: {
    diff?: boolean;
    details?: Map<string, { olds?: Record<string, unknown>; news?: Record<string, unknown> }>;
  } = {},
): string[] {
  const lines = [`Preview of ${report.environment}: ${describeChanges(report.changes, "future")}`];
  const byComponent = new Map<string, PlannedStep[]>();
  for (const s of report.steps) byComponent.set(s.component, [...(byComponent.get(s.component) ?? []), s]);
  for (const [component, steps] of byComponent) {
    lines.push(`  ${component}`);
    const rows = steps.map((s) => [
      `    ${OP_SYMBOL[s.op] ?? "?"} ${s.op}`,
      s.label,
      s.resource,
      s.diffs.length > 0 ? `(${s.diffs.join(", ")})` : "",
    ]);
    const rendered = table(["", "", "", ""], rows).split("\n").slice(1);
    steps.forEach((s, i) => {
      lines.push(rendered[i] ?? "");
      if (opts.diff && s.diffs.length > 0) {
        const d = opts.details?.get(s.urn);
        for (const key of s.diffs) {
          lines.push(`        ${key}: ${shown(d?.olds?.[key])} → ${shown(d?.news?.[key])}`);
        }
      }
    });
  }
  if (report.stateful.length > 0) {
    lines.push("");
    lines.push("! These changes replace or delete resources that hold data (it is lost unless backed up):");
    for (const s of report.stateful) lines.push(`!   ${s.op} ${s.label} ${s.resource} (${s.component})`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w.split("\n")[0]}`);
  return lines;
}

function renderResult(report: UpdateReport): string[] {
  const lines = ["", renderFinalTable(report.rows), ""];
  const verb = report.operation === "destroy" ? "destroyed" : report.operation === "refresh" ? "refreshed" : "applied";
  lines.push(
    `${report.environment} ${verb} in ${formatSeconds(report.seconds)}: ${describeChanges(report.changes, "past")}`,
  );
  const outputs = Object.entries(report.outputs);
  if (outputs.length > 0) {
    lines.push("Outputs:");
    for (const [k, v] of outputs) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  if (report.stateful && report.stateful.length > 0) {
    lines.push("! These changes replaced or deleted resources that held data (lost unless backed up):");
    for (const s of report.stateful) lines.push(`!   ${s.op} ${s.label} ${s.resource} (${s.component})`);
  }
  if (report.history) lines.push(`Recorded as update ${report.history.n} (cto history --env ${report.environment}).`);
  lines.push(`Engine log: ${report.logFile}`);
  return lines;
}

/** A finished operation: one JSON document with `--json`, else the change table. */
export function printResult(report: UpdateReport, io: LifecycleIO, json: boolean): void {
  if (json) io.out(jsonResult(report));
  else for (const line of renderResult(report)) io.out(line);
}

function jsonResult(report: UpdateReport): string {
  return JSON.stringify({
    kind: "result",
    operation: report.operation,
    environment: report.environment,
    changes: report.changes,
    seconds: report.seconds,
    outputs: report.outputs,
    ...(report.crds ? crdsJson(report.crds) : {}),
    ...(report.stateful && report.stateful.length > 0 ? { stateful: report.stateful } : {}),
    update: report.history?.n,
    logFile: report.logFile,
    resources: report.rows.map((r) => ({
      component: r.component,
      resource: r.resource,
      type: r.type,
      op: r.op,
      status: r.status,
      seconds: r.seconds,
    })),
  });
}

/** The CRD cleanup of a destroy in its JSON result. */
export function crdsJson(crds: CrdCleanup): Record<string, unknown> {
  return { crdsDeleted: crds.deleted, crdsKept: crds.preexisting, crdsError: crds.error };
}

/** What destroy did with the charts' CRDs: deleted, left because they existed before, or failed. */
export function printCrdCleanup(crds: CrdCleanup, io: LifecycleIO, json: boolean): void {
  if (crds.error) io.err(`warning: the CRDs of the platform's charts were not deleted: ${crds.error}`);
  if (json) return;
  if (crds.deleted.length > 0) {
    io.out(`Deleted the ${crds.deleted.length} CRDs of the platform's charts (--keep-crds keeps them).`);
  }
  if (crds.preexisting) {
    io.out(
      `Kept ${crds.preexisting.length} CRDs a chart ships that were on the cluster before it was installed: ` +
        crds.preexisting.join(", "),
    );
  }
}
