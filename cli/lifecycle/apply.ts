/** Shared by up, upgrade and rollback: preview, summary, confirmation, apply (with `--yes`: apply alone). */
import type { Plan } from "../../profiles/plan.js";
import { argoUiNote } from "../../profiles/ui-access.js";
import { externalRouteNote } from "../../profiles/webhooks.js";
import type { FastPathResult, PreviewReport } from "../../stacks/lifecycle/index.js";
import { cancelled, confirm } from "./consent.js";
import { printResult, renderPreview } from "./render.js";
import type { LoadedPlan } from "../plan.js";
import type { RollbackOptions } from "../commands/rollback.js";
import type { UpOptions } from "../commands/up.js";
import type { UpgradeOptions } from "../commands/upgrade.js";
import { withStackSession, type LifecycleIO } from "./session.js";

/**
 * What `previewConfirmApply` reads: `--json`, `--yes` and `--diff` of up, upgrade and rollback
 * (each declares them, else a compile error here), and `--refresh`, which only `cto up` has.
 */
export type ApplyFlags = Pick<UpOptions | UpgradeOptions | RollbackOptions, "json" | "yes" | "diff"> &
  Partial<Pick<UpOptions, "refresh">>;

export async function previewConfirmApply(
  loaded: Pick<LoadedPlan, "plan" | "secrets" | "context">,
  options: ApplyFlags,
  io: LifecycleIO,
  extra: {
    operation: "up" | "upgrade" | "rollback";
    rollbackOf?: number;
    question: string;
    /** Runs once the stack matches the plan (applied now, or already), before the result is printed. */
    onApplied?: () => Promise<void>;
    /**
     * The fast path's answer, when the command asked it before the preview (`cto up`); else it is
     * asked here when needed (a preview without changes, or `--yes`).
     */
    fastPath?: FastPathResult;
  },
): Promise<number> {
  const { plan, secrets, context } = loaded;
  const json = Boolean(options.json);
  return withStackSession(io, { environment: plan.environment, context }, json, async (opts, lifecycle) => {
    /** The update (`total`: the preview's count, for `[n/total]`), then the result. */
    const apply = async (total?: number): Promise<number> => {
      const result = await lifecycle.up(plan, secrets, {
        ...opts,
        operation: extra.operation,
        rollbackOf: extra.rollbackOf,
        total,
        refresh: options.refresh,
      });
      await extra.onApplied?.();
      printResult(result, io, json);
      printRouteNote(plan, io, json);
      return 0;
    };
    /** Nothing to apply: the stack already matches the plan (no update, nothing recorded). */
    const noChanges = async (changes: PreviewReport["changes"]): Promise<number> => {
      await extra.onApplied?.();
      if (json)
        io.out(
          JSON.stringify({
            kind: "result",
            operation: extra.operation,
            environment: plan.environment,
            changes,
            noChanges: true,
          }),
        );
      else io.out(`No changes: ${plan.environment} already matches the plan.`);
      printRouteNote(plan, io, json);
      return 0;
    };
    // With `--yes` (and no `--diff` to show), one engine pass: the update runs without a preview
    // first, and its own events drive the progress (`[n/?]`: the total is not known before) and
    // the summary. What the command shows before applying (upgrade's and rollback's versions and
    // cto.yaml edit) comes from the plans, not from an engine run. The fast path's answer, asked
    // without the engine, still spares the update when the stack already matches the plan.
    if (options.yes && !options.diff) {
      const fastPath =
        extra.fastPath ?? (options.refresh ? undefined : await lifecycle.noChangesSince(plan, secrets, { context }));
      if (fastPath?.fast) return noChanges({});
      return apply();
    }
    const report = await lifecycle.preview(plan, secrets, { ...opts, onProgress: undefined, refresh: options.refresh });
    const { configWritten, ...shown } = report;
    if (json) io.out(JSON.stringify({ kind: "preview", ...shown }));
    else for (const line of renderPreview(report, { diff: options.diff, details: report.details })) io.out(line);

    // The fast path's earlier answer holds unless the preview changed the stack config it reads.
    const fastPath = configWritten ? undefined : extra.fastPath;
    if (report.total === 0 && (await lifecycle.planAlreadyApplied(plan, secrets, { context, fastPath }))) {
      return noChanges(report.changes);
    }
    if (!options.yes) {
      if (!(await confirm(extra.question))) return cancelled(io);
    }
    if (!json) io.out("");
    return apply(report.total);
  });
}

/**
 * What someone other than cto must route for GitHub's deliveries to arrive (ingress_type none, a
 * Cloudflare Tunnel), and how to reach the Argo UIs when no Ingress serves them (no domain, or
 * ingress_type none).
 */
export function printRouteNote(plan: Plan, io: LifecycleIO, json: boolean): void {
  const note = externalRouteNote(plan);
  if (note) {
    if (json) io.out(JSON.stringify({ kind: "route", note }));
    else io.out(`Webhook route: ${note}`);
  }
  const uis = argoUiNote(plan);
  if (uis) {
    if (json) io.out(JSON.stringify({ kind: "ui-access", note: uis }));
    else io.out(`Argo UIs: ${uis}`);
  }
}
