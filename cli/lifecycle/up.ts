/**
 * `cto up`: prerequisites (unless --skip-checks; missing tools cto can install are offered first),
 * then preview, confirmation, apply; with `--yes` one engine pass that applies (no preview first).
 */
import { UserError } from "../../config/errors.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { previewConfirmApply } from "./apply.js";
import type { FastPathResult } from "../../stacks/lifecycle/index.js";
import type { DoctorReport } from "../../stacks/preflight/index.js";
import type { RunContext } from "../../stacks/run-context.js";
import { requireConsent } from "./consent.js";
import { offerToolInstall } from "./install-tools.js";
import { load, type LifecycleIO } from "./session.js";
import type { UpOptions } from "../commands/up.js";

/** `cto up` */
export async function runUp(options: UpOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto up");
  const loaded = await load(options, io);
  // Home, backend, toolchain and Pulumi CLI, worked out once (cli/plan.ts) for the checks and every stack opened.
  const { context } = loaded;
  const fastPath = options.refresh ? undefined : await unchanged(loaded.plan, loaded.secrets, context, options, io);
  if (fastPath?.fast) return 0;
  await preflight(loaded.plan, context, options, io);
  return previewConfirmApply(loaded, options, io, {
    operation: "up",
    question: `Apply these changes to ${loaded.plan.environment}?`,
    fastPath,
  });
}

/**
 * The fast path: nothing changed since the last update (stacks/lifecycle/fast-path.ts), so the
 * engine is not started and the prerequisites are not checked (nothing will be changed). When it
 * is not taken, the reason goes to stderr (text output only), and the answer is handed on: after a
 * preview without changes it says whether an update is still needed (`planAlreadyApplied`).
 */
async function unchanged(
  plan: Plan,
  secrets: PlanSecrets,
  context: RunContext,
  options: UpOptions,
  io: LifecycleIO,
): Promise<FastPathResult> {
  const { noChangesSince } = await import("../../stacks/lifecycle/fast-path.js");
  const result = await noChangesSince(plan, secrets, { context });
  if (!result.fast) {
    if (!options.json) io.err(`Looking for changes with the engine: ${result.reason}.`);
    return result;
  }
  const env = plan.environment;
  const note =
    "like pulumi up without --refresh, this compares with the recorded state, not the live cluster; " +
    `cto up --refresh --env ${env} or cto refresh --env ${env} finds drift`;
  if (options.json) {
    io.out(
      JSON.stringify({
        kind: "result",
        operation: "up",
        environment: env,
        changes: {},
        noChanges: true,
        since: result.n,
        engine: false,
        note,
      }),
    );
  } else {
    const by = result.meta.user && result.meta.host ? ` by ${result.meta.user}@${result.meta.host}` : "";
    const when = result.finishedAt ? ` (${result.finishedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")}${by})` : "";
    io.out(`No changes since update ${result.n}${when}: ${env} already has this plan, program and config.`);
    io.out(`Note: ${note}.`);
  }
  return result;
}

/** Prerequisites before `up`; `--skip-checks` skips them with a warning. */
async function preflight(plan: Plan, context: RunContext, options: UpOptions, io: LifecycleIO): Promise<void> {
  if (options.skipChecks) {
    io.err("warning: prerequisite checks skipped (--skip-checks): problems will surface as engine errors instead");
    return;
  }
  const { runPreflight, renderReport, realProbes } = await import("../../stacks/preflight/index.js");
  const probes = realProbes({ env: context.env, toolchainBin: context.toolchainBin ?? null });
  const check = async (): Promise<DoctorReport> =>
    runPreflight(plan, {
      probes,
      ctoHome: context.home,
      state: { backendUrl: context.backend.url, project: plan.platform.name },
    });
  let report = await check();
  // Missing tools cto can install: ask (or --yes), install, check again.
  if (!report.ok && (await offerToolInstall(plan, context, report, options, io))) report = await check();
  if (options.json) io.out(JSON.stringify({ kind: "preflight", ok: report.ok, checks: report.checks }));
  if (!report.ok) {
    if (!options.json) io.err(renderReport(report, { color: io.color }));
    throw new UserError("prerequisites are not met (✗ above); nothing was changed", {
      hint: "fix the ✗ items (cto doctor --fix installs what it can), or run cto up --skip-checks to go ahead anyway",
      exitCode: 1,
    });
  }
  const warnings = report.checks.filter((c) => c.status === "warn");
  if (!options.json) {
    io.out(`Prerequisites: ${report.checks.filter((c) => c.status === "ok").length} ok, ${warnings.length} warnings`);
    for (const w of warnings) io.err(`warning: ${w.name}: ${w.reason}`);
  }
}
