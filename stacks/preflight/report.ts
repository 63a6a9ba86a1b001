/**
 * The report as a table for people: ✓ met, ✗ critical failure, ! warning or non-critical failure,
 * - not applicable yet. Each ✗ and ! line is followed by its fix.
 */
import type { CheckResult, DoctorReport } from "./types.js";

export interface RenderOptions {
  /** ANSI colours (the CLI passes true for a colour-capable TTY). */
  color?: boolean;
}

const ANSI = { green: "\x1b[32m", red: "\x1b[31m", yellow: "\x1b[33m", dim: "\x1b[2m", reset: "\x1b[0m" };

/** The symbol of a result: ✓, ✗, ! or -. */
export function symbolOf(r: CheckResult): "✓" | "✗" | "!" | "-" {
  if (r.status === "ok") return "✓";
  if (r.status === "skip") return "-";
  if (r.status === "fail" && r.critical) return "✗";
  return "!";
}

function paint(text: string, colour: keyof typeof ANSI, on: boolean): string {
  return on ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

const COLOUR: Record<ReturnType<typeof symbolOf>, keyof typeof ANSI> = {
  "✓": "green",
  "✗": "red",
  "!": "yellow",
  "-": "dim",
};

/** The table, a blank line, and a one-line verdict. */
export function renderReport(report: DoctorReport, options: RenderOptions = {}): string {
  const color = options.color ?? false;
  const width = Math.min(34, Math.max(...report.checks.map((c) => c.name.length), 10));
  const indent = " ".repeat(width + 7);
  const lines = [
    `Checks for environment ${report.environment}, profile ${report.profile}, cluster provider ${report.provider}:`,
    "",
  ];
  for (const r of report.checks) {
    const sym = symbolOf(r);
    lines.push(`  ${paint(sym, COLOUR[sym], color)}  ${r.name.padEnd(width)}  ${r.reason}`);
    if (r.fix && (r.status === "fail" || r.status === "warn"))
      lines.push(`${indent}${paint("fix:", "dim", color)} ${r.fix}`);
  }
  const s = report.summary;
  const counts = [
    `${s.ok} ok`,
    s.criticalFailures > 0 ? `${s.criticalFailures} critical` : "",
    s.failed - s.criticalFailures > 0
      ? `${s.failed - s.criticalFailures} non-critical failure${s.failed - s.criticalFailures === 1 ? "" : "s"}`
      : "",
    s.warnings > 0 ? `${s.warnings} warning${s.warnings === 1 ? "" : "s"}` : "",
    s.skipped > 0 ? `${s.skipped} not applicable yet` : "",
  ].filter((p) => p !== "");
  lines.push("");
  lines.push(
    report.ok
      ? `${counts.join(", ")}. Ready for cto up.`
      : `${counts.join(", ")}. cto up refuses to start until the ✗ lines are fixed (or is run with --skip-checks).`,
  );
  return lines.join("\n");
}
