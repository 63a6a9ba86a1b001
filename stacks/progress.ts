/**
 * Engine events → a progress model: which resource is being worked on, `n` of how many, how long
 * it took, what failed, and a final table. Driven only by the Automation API's structured events
 * (never by parsing the CLI's text), so the same model feeds the terminal lines and `--json`.
 *
 * Counting: one step per resource URN that changes (a replacement's create/replace/delete steps
 * share one number), which is how the preview's change summary counts, so `total` comes from the
 * preview (`totalFromSummary`) and `[12/40]` adds up.
 */
import type { EngineEvent, OpMap, OpType, StepEventMetadata } from "@pulumi/pulumi/automation/index.js";

/** Ops that change nothing and are not counted. */
const QUIET_OPS = new Set<OpType>(["same", "read", "discard", "discard-replaced"]);

const VERBS: Partial<Record<OpType, [string, string]>> = {
  create: ["creating", "created"],
  update: ["updating", "updated"],
  delete: ["deleting", "deleted"],
  replace: ["replacing", "replaced"],
  "create-replacement": ["creating replacement", "created replacement"],
  "delete-replaced": ["deleting replaced", "deleted replaced"],
  refresh: ["refreshing", "refreshed"],
  import: ["importing", "imported"],
  "import-replacement": ["importing replacement", "imported replacement"],
  "remove-pending-replace": ["removing pending replace", "removed pending replace"],
  "read-replacement": ["reading replacement", "read replacement"],
};

/**
 * Default providers (`pulumi:providers:<pkg>::default…`): the engine neither shows nor counts them
 * in its change summary, so neither does the model.
 */
export function isDefaultProvider(urn: string): boolean {
  const { name, type } = parseUrn(urn);
  return type.startsWith("pulumi:providers:") && (name === "default" || name.startsWith("default_"));
}

/** Summary op → the op that is shown and counted for it. */
export function verbs(op: OpType): [string, string] {
  return VERBS[op] ?? [op, op];
}

/** Changes the preview announced (everything but `same`), the denominator of `[n/total]`. */
export function totalFromSummary(changes: OpMap | undefined): number {
  if (!changes) return 0;
  let n = 0;
  for (const [op, count] of Object.entries(changes)) if (!QUIET_OPS.has(op as OpType)) n += count ?? 0;
  return n;
}

/** `urn:pulumi:dev::acme::cto:x:ArgoCd$kubernetes:helm.sh/v3:Release::argo-cd` → name and types. */
export function parseUrn(urn: string): { name: string; type: string; parentTypes: string[] } {
  const parts = urn.split("::");
  const name = parts.slice(3).join("::") || urn;
  const types = (parts[2] ?? "").split("$");
  return { name, type: types[types.length - 1] ?? "", parentTypes: types.slice(0, -1) };
}

/** A short, readable kind: `kubernetes:helm.sh/v3:Release` → "helm release", `…:core/v1:ConfigMap` → "config map". */
export function kindLabel(type: string): string {
  if (type === "pulumi:pulumi:Stack") return "stack";
  if (type.startsWith("pulumi:providers:")) return `${type.slice("pulumi:providers:".length)} provider`;
  if (type === "pulumi-nodejs:dynamic:Resource") return "dynamic resource";
  if (/^kubernetes:helm\.sh\/v\d+:Release$/.test(type)) return "helm release";
  if (/^kubernetes:helm\.sh\/v\d+:Chart$/.test(type)) return "helm chart";
  if (type.startsWith("kubernetes:yaml")) return "manifests";
  const last = (type.split(":").pop() ?? type).replace(/GitHub/g, "Github");
  return last
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase();
}

/** Which resource a step is about: shared by its start, done and failed events. */
export interface StepIdentity {
  index: number;
  total: number;
  urn: string;
  component: string;
  resource: string;
  type: string;
  label: string;
  op: OpType;
}

/** One thing the model wants shown, in order. Carries no property values (they may hold secrets). */
export type ProgressEvent =
  | ({ kind: "start"; verb: string } & StepIdentity)
  | ({ kind: "done"; verb: string; seconds: number } & StepIdentity)
  | ({ kind: "failed"; seconds: number; message: string } & StepIdentity)
  | { kind: "diagnostic"; severity: "warning" | "error"; urn?: string; component?: string; message: string }
  | { kind: "summary"; changes: OpMap; seconds: number };

/** One changed resource in the final table. */
export interface ResourceRow {
  index: number;
  urn: string;
  component: string;
  resource: string;
  type: string;
  label: string;
  op: OpType;
  status: "running" | "done" | "failed";
  seconds?: number;
  message?: string;
}

export interface ProgressOptions {
  /**
   * Changes announced by the preview; 0 = unknown (an update run without a preview first, as
   * `cto up --yes` does): steps then show as `[n/?]` and events carry `total: 0`.
   */
  total?: number;
  /** Clock in milliseconds (tests inject one). */
  now?: () => number;
  /** Plan component names, to attribute resources (`argo-cd`, `monitoring`, …). */
  components?: string[];
}

/** "argo-cd" and "argocd-release" compare as "argocd…". */
const key = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

const ANSI = /\u001b\[[0-9;]*m/g;

/** Engine diagnostics carry colour codes and trailing newlines; keep the words. */
export function cleanMessage(message: string): string {
  return message
    .replace(ANSI, "")
    .replace(/<\{%reset%\}>|<\{%[^%]*%\}>/g, "")
    .trim();
}

/** The model: feed it every engine event; it returns what to show for that event. */
export class ProgressModel {
  total: number;
  private readonly now: () => number;
  private readonly components: string[];
  private readonly rows = new Map<string, ResourceRow>();
  private readonly started = new Map<string, number>();
  /** URN → parent URN and resource name, to attribute children to their component. */
  private readonly parents = new Map<string, string>();
  private readonly order: string[] = [];
  private next = 1;
  private readonly t0: number;
  /** Errors that belong to no resource (e.g. the program threw). */
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  changes?: OpMap;

  constructor(options: ProgressOptions = {}) {
    this.total = options.total ?? 0;
    this.now = options.now ?? Date.now;
    this.components = [...(options.components ?? [])].sort((a, b) => b.length - a.length);
    this.t0 = this.now();
  }

  /**
   * Which component a resource belongs to: the plan component whose name appears in the resource's
   * own name (`argo-argo-cd` → argo-cd), else in an ancestor's, else the top-most `cto:` component
   * above it (`github`, `base`), else its own name.
   */
  componentOf(urn: string): string {
    const chain: { name: string; type: string }[] = [];
    const seen = new Set<string>();
    for (let cur: string | undefined = urn; cur && !seen.has(cur); cur = this.parents.get(cur)) {
      seen.add(cur);
      chain.push(parseUrn(cur));
    }
    for (const { name } of chain) {
      const k = key(name);
      const hit = this.components.find((c) => k.includes(key(c)));
      if (hit) return hit;
    }
    const ctoAncestors = chain.filter((c) => c.type.startsWith("cto:"));
    return ctoAncestors[ctoAncestors.length - 1]?.name ?? chain[0]?.name ?? urn;
  }

  private rowFor(meta: StepEventMetadata): ResourceRow {
    let row = this.rows.get(meta.urn);
    if (!row) {
      const parent = meta.new?.parent ?? meta.old?.parent;
      if (parent) this.parents.set(meta.urn, parent);
      const { name, type } = parseUrn(meta.urn);
      const t = meta.type || type;
      row = {
        index: this.next++,
        urn: meta.urn,
        component: this.componentOf(meta.urn),
        resource: name,
        type: t,
        label: kindLabel(t),
        op: meta.op,
        status: "running",
      };
      this.rows.set(meta.urn, row);
      this.order.push(meta.urn);
      if (this.total > 0 && row.index > this.total) this.total = row.index; // the preview under-counted
    }
    return row;
  }

  /** Feed one engine event; returns what to show (possibly nothing). */
  handle(event: EngineEvent): ProgressEvent[] {
    const out: ProgressEvent[] = [];
    const pre = event.resourcePreEvent;
    if (pre) {
      const meta = pre.metadata;
      const parent = meta.new?.parent ?? meta.old?.parent;
      if (parent) this.parents.set(meta.urn, parent);
      if (pre.planning || QUIET_OPS.has(meta.op) || isDefaultProvider(meta.urn)) return out;
      const row = this.rowFor(meta);
      // A replacement shows its headline op ("replace") rather than its sub-steps.
      if (meta.op === "replace") row.op = "replace";
      row.status = "running";
      if (!this.started.has(meta.urn)) this.started.set(meta.urn, this.now());
      out.push({ kind: "start", ...this.base(row), verb: verbs(meta.op)[0] });
      return out;
    }
    const done = event.resOutputsEvent;
    if (done) {
      const meta = done.metadata;
      if (done.planning || QUIET_OPS.has(meta.op) || isDefaultProvider(meta.urn)) return out;
      const row = this.rowFor(meta);
      if (row.status === "failed") return out;
      row.status = "done";
      row.seconds = this.elapsed(meta.urn);
      out.push({ kind: "done", ...this.base(row), op: meta.op, verb: verbs(meta.op)[1], seconds: row.seconds });
      return out;
    }
    const failed = event.resOpFailedEvent;
    if (failed) {
      const row = this.rowFor(failed.metadata);
      row.status = "failed";
      row.seconds = this.elapsed(failed.metadata.urn);
      row.message = row.message ?? "failed";
      out.push({ kind: "failed", ...this.base(row), seconds: row.seconds, message: row.message });
      return out;
    }
    const diag = event.diagnosticEvent;
    if (diag && (diag.severity === "error" || diag.severity === "warning") && !diag.ephemeral) {
      const message = cleanMessage(diag.message);
      if (message === "") return out;
      const component = diag.urn ? this.componentOf(diag.urn) : undefined;
      if (diag.severity === "error") {
        const row = diag.urn ? this.rows.get(diag.urn) : undefined;
        if (row) row.message = row.message && row.message !== "failed" ? `${row.message}\n${message}` : message;
        // Errors on the stack resource itself (e.g. "update failed") are summaries, not causes.
        if (!diag.urn || parseUrn(diag.urn).type === "pulumi:pulumi:Stack") this.errors.push(message);
        else if (!row) this.errors.push(message);
      } else {
        this.warnings.push(message);
      }
      out.push({ kind: "diagnostic", severity: diag.severity, urn: diag.urn, component, message });
      return out;
    }
    const summary = event.summaryEvent;
    if (summary) {
      this.changes = summary.resourceChanges;
      out.push({ kind: "summary", changes: summary.resourceChanges, seconds: summary.durationSeconds });
    }
    return out;
  }

  private base(row: ResourceRow) {
    return {
      index: row.index,
      total: this.total,
      urn: row.urn,
      component: row.component,
      resource: row.resource,
      type: row.type,
      label: row.label,
      op: row.op,
    };
  }

  private elapsed(urn: string): number {
    const s = this.started.get(urn);
    return s === undefined ? 0 : Math.max(0, (this.now() - s) / 1000);
  }

  /** Every changed resource, in the order work started on it. */
  rowsInOrder(): ResourceRow[] {
    return this.order.map((u) => this.rows.get(u) as ResourceRow);
  }

  /** Seconds since the model was created. */
  elapsedSeconds(): number {
    return (this.now() - this.t0) / 1000;
  }

  /** Resources that failed. */
  failures(): ResourceRow[] {
    return this.rowsInOrder().filter((r) => r.status === "failed");
  }
}

/** `35s`, `2m05s`. */
export function formatSeconds(s: number): string {
  const whole = Math.round(s);
  if (whole < 60) return `${whole}s`;
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}

/** `[12/40] argo-cd  helm release  creating  35s` — one line per progress event (undefined: nothing to show). */
export function renderProgressLine(e: ProgressEvent): string | undefined {
  const counter = (i: number, t: number): string => `[${i}/${t || "?"}]`;
  switch (e.kind) {
    case "start":
      return `${counter(e.index, e.total)} ${e.component}  ${e.label}  ${e.verb}`;
    case "done":
      return `${counter(e.index, e.total)} ${e.component}  ${e.label}  ${e.verb}  ${formatSeconds(e.seconds)}`;
    case "failed":
      return `${counter(e.index, e.total)} ${e.component}  ${e.label}  FAILED after ${formatSeconds(e.seconds)}: ${firstLine(e.message)}`;
    case "diagnostic":
      return e.severity === "error"
        ? `error${e.component ? ` (${e.component})` : ""}: ${e.message}`
        : `warning${e.component ? ` (${e.component})` : ""}: ${firstLine(e.message)}`;
    case "summary":
      return undefined;
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

/** Left-aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The final table: what changed, how, how long, and what failed. */
export function renderFinalTable(rows: ResourceRow[]): string {
  if (rows.length === 0) return "no changes";
  return table(
    ["#", "component", "kind", "resource", "change", "time", "result"],
    rows.map((r) => [
      String(r.index),
      r.component,
      r.label,
      r.resource,
      r.op,
      r.seconds === undefined ? "-" : formatSeconds(r.seconds),
      r.status === "failed" ? `failed: ${firstLine(r.message ?? "")}` : r.status === "done" ? "ok" : "interrupted",
    ]),
  );
}

/** "2 to create, 1 to update, 5 unchanged" / "2 created, 1 updated" from an OpMap. */
export function describeChanges(changes: OpMap, tense: "future" | "past"): string {
  const words: [OpType, string, string][] = [
    ["create", "to create", "created"],
    ["update", "to update", "updated"],
    ["replace", "to replace", "replaced"],
    ["delete", "to delete", "deleted"],
    ["refresh", "to refresh", "refreshed"],
    ["import", "to import", "imported"],
  ];
  const parts: string[] = [];
  for (const [op, future, past] of words) {
    const n = changes[op] ?? 0;
    if (n > 0) parts.push(`${n} ${tense === "future" ? future : past}`);
  }
  const same = changes.same ?? 0;
  if (parts.length === 0) return same > 0 ? `no changes (${same} unchanged)` : "no changes";
  if (same > 0) parts.push(`${same} unchanged`);
  return parts.join(", ");
}
