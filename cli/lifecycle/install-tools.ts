/**
 * `cto up` and missing tools: when a tool check failed and cto can install that tool (the Pulumi
 * CLI, its kubernetes plugin, kubectl, kind, minikube), it says what it would download, asks, and
 * installs only on "yes" or with `--yes`. Without a terminal `cto up` already refuses to start
 * without `--yes` (consent.ts), so nothing is ever installed unasked.
 */
import type { Plan } from "../../profiles/plan.js";
import type { DoctorReport } from "../../stacks/preflight/index.js";
import type { RunContext } from "../../stacks/run-context.js";
import { confirm } from "./consent.js";
import type { UpOptions } from "../commands/up.js";
import type { LifecycleIO } from "./session.js";

/** What `offerToolInstall` reads of `cto up`'s flags (the only command that offers installs). */
export type ToolInstallFlags = Pick<UpOptions, "json" | "yes">;

/**
 * Offers to install the tools whose checks failed. Returns true when something was installed (the
 * caller checks again), false when nothing was to do, the user said no, or every install failed.
 */
export async function offerToolInstall(
  plan: Plan,
  context: RunContext,
  report: DoctorReport,
  options: ToolInstallFlags,
  io: LifecycleIO,
): Promise<boolean> {
  const { TOOL_FOR_CHECK, TOOLS, hostArchOfCheck, k3sTagOf, loadToolPins } =
    await import("../../stacks/tools/index.js");
  const wanted = report.checks.filter((c) => c.status === "fail" && TOOL_FOR_CHECK[c.id]);
  if (wanted.length === 0) return false;
  const pins = await loadToolPins(plan.release, context.env, k3sTagOf(plan));
  const { home } = context;
  const names = wanted
    .map((c) => {
      const t = TOOL_FOR_CHECK[c.id];
      const host = hostArchOfCheck(c.id);
      return t ? `${TOOLS[t].name} ${pins.versions[t]}${host ? ` (linux-${host}, for the SSH hosts)` : ""}` : "";
    })
    .join(", ");
  const say = (line: string): void => (options.json ? io.err(line) : io.out(line));
  say(`Missing tools cto can install into ${home}/bin (official release files, SHA-256 checked): ${names}`);
  if (!options.yes && !(await confirm("Download and install them now?"))) {
    say("Not installed.");
    return false;
  }
  const [{ applyFixes }, { realProbes }] = await Promise.all([
    import("../../stacks/preflight/fix.js"),
    import("../../stacks/preflight/probes.js"),
  ]);
  const onlyTools: DoctorReport = { ...report, checks: wanted };
  const actions = await applyFixes(onlyTools, {
    probes: realProbes({ env: context.env, toolchainBin: context.toolchainBin ?? null }),
    ctoHome: home,
    tools: pins,
    onDownload: (tool, version) => say(`Downloading ${tool} ${version}…`),
  });
  if (options.json) io.out(JSON.stringify({ kind: "tools", actions }));
  for (const a of actions) {
    if (!options.json) io.out(`  ${a.outcome === "installed" ? "✓" : "✗"}  ${a.name}: ${a.message}`);
    if (a.outcome !== "installed" && a.instruction) io.err(`     fix: ${a.instruction}`);
  }
  return actions.some((a) => a.outcome === "installed");
}
