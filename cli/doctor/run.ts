/**
 * `cto doctor`: resolves the plan, runs the prerequisite checks of stacks/preflight against this
 * machine (and the cluster, when one is reachable), prints the ✓ / ✗ / ! table or JSON, and with
 * `--fix` installs what cto can install itself (pinned, SHA-256-checked tool downloads) before
 * checking again. Tools cto installed are listed with where they came from.
 */
import {
  applyFixes,
  realProbes,
  renderReport,
  runPreflight,
  type DoctorReport,
  type FixAction,
} from "../../stacks/preflight/index.js";
import { useColor, type CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { DoctorCommandOptions } from "../commands/doctor.js";

/** `cto doctor`'s flags, typed from their declaration in cli/commands/doctor.ts. */
export type DoctorOptions = DoctorCommandOptions;

/** `--json` output: the report (schemaVersion 1), plus what `--fix` did when it ran. */
export type DoctorJson = DoctorReport & { fixes?: FixAction[] };

const FIX_MARK: Record<FixAction["outcome"], string> = { installed: "✓", manual: "→", failed: "✗" };

/** Runs the checks; exit code 1 when a critical check fails. */
export async function runDoctor(
  options: DoctorOptions,
  io: CommandIO & { progress?: (text: string) => void },
): Promise<number> {
  const { plan, context } = await loadPlan(options, io);
  const { home } = context;
  const probes = realProbes({ env: context.env, toolchainBin: context.toolchainBin ?? null });
  // The URL as written (the state check reports one cto cannot use, where the context would throw).
  const backendUrl = plan.state.backendUrl ?? context.env.PULUMI_BACKEND_URL ?? `file://${home}/state`;
  const run = (): Promise<DoctorReport> => runPreflight(plan, { probes, ctoHome: home, state: { backendUrl } });

  io.progress?.(`Checking prerequisites for ${plan.platform.name}/${plan.environment} (${plan.profile.name})…`);
  let report = await run();
  let fixes: FixAction[] | undefined;
  if (options.fix) {
    const { k3sTagOf, loadToolPins } = await import("../../stacks/tools/index.js");
    fixes = await applyFixes(report, {
      probes,
      ctoHome: home,
      tools: await loadToolPins(plan.release, io.env, k3sTagOf(plan)),
      onDownload: (tool, version) => io.progress?.(`Downloading ${tool} ${version}…`),
    });
    if (fixes.some((f) => f.outcome === "installed")) report = await run();
  }

  if (options.json) {
    const out: DoctorJson = fixes ? { ...report, fixes } : report;
    io.print(JSON.stringify(out, null, 2));
  } else {
    if (fixes) {
      io.print(fixes.length === 0 ? "Nothing to fix." : "Fixes:");
      for (const f of fixes) {
        io.print(`  ${FIX_MARK[f.outcome]}  ${f.name}: ${f.message}`);
        if (f.instruction) io.print(`     run: ${f.instruction}`);
      }
      io.print("");
    }
    io.print(renderReport(report, { color: useColor(io.env) }));
    const { toolSourceLines } = await import("../version/tools.js");
    const sources = await toolSourceLines(home);
    if (sources.length > 0) io.print(["", "Installed by cto:", ...sources.map((l) => `  ${l}`)].join("\n"));
  }
  return report.ok ? 0 : 1;
}
