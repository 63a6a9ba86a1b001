/** `destroy`, its preview, and the CRD cleanup an interrupted destroy left unfinished. */
import type { FileHandle } from "node:fs/promises";
import type { OpMap } from "@pulumi/pulumi/automation/index.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { afterDestroy, beforeDestroy, finishInterruptedCrdCleanup, planCrdLedger } from "../crd-cleanup.js";
import type { CrdCleanup } from "../crds.js";
import { totalFromSummary } from "../progress.js";
import { contextFor } from "../run-context.js";
import { cancelledBy, failure, finishRun, startRun } from "./engine-run.js";
import { resolvePendingOperations } from "./resolve-pending.js";
import type { LifecycleOptions, UpdateReport } from "./types.js";

/** Delete everything the stack manages. The stack itself (and its history) is kept. */
export async function destroy(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions & { keepCrds?: boolean } = {},
): Promise<UpdateReport> {
  const run = await startRun(plan, secrets, "destroy", options, false);
  const env = run.cs.context.env;
  const ledger = planCrdLedger(plan, run.cs.home);
  try {
    await resolvePendingOperations(run, plan, options, "destroy");
    // Helm keeps the charts' CRDs on uninstall; destroy leaves nothing of ours unless asked to. The
    // names of the crds/ CRDs are in the release records, which the engine's destroy deletes.
    const recorded = options.keepCrds
      ? []
      : await beforeDestroy(plan, env, ledger, (line) => void run.log.write(`# ${line}\n`));
    const result = await run.cs.stack.destroy({
      onEvent: run.onEvent,
      onOutput: run.onOutput,
      onError: run.onOutput,
      signal: options.signal,
    });
    const crds = await afterDestroy(plan, env, ledger, recorded, Boolean(options.keepCrds));
    await logCrdCleanup(run.log, crds);
    return {
      environment: plan.environment,
      operation: "destroy",
      changes: result.summary.resourceChanges ?? {},
      rows: run.model.rowsInOrder(),
      seconds: run.model.elapsedSeconds(),
      outputs: {},
      logFile: run.logFile,
      warnings: run.model.warnings,
      crds,
    };
  } catch (err) {
    throw await failure(run, "destroy", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}

async function logCrdCleanup(log: FileHandle, crds: CrdCleanup): Promise<void> {
  if (crds.deleted.length > 0) await log.write(`# deleted CRDs: ${crds.deleted.join(" ")}\n`);
  if (crds.preexisting) await log.write(`# kept CRDs that existed before the charts: ${crds.preexisting.join(" ")}\n`);
}

/**
 * For a destroy that found nothing to destroy: finishes the CRD cleanup of an earlier destroy
 * that was interrupted after the engine's part (see `crd-cleanup.ts`); `undefined` when there
 * was none.
 */
export async function finishInterruptedDestroy(
  plan: Plan,
  options: Pick<LifecycleOptions, "context" | "env" | "home"> & { keepCrds?: boolean } = {},
): Promise<CrdCleanup | undefined> {
  const { env, home } = contextFor(plan, options);
  const ledger = planCrdLedger(plan, home);
  return finishInterruptedCrdCleanup(plan, env, ledger, Boolean(options.keepCrds));
}

/** How many changes a destroy would make (its preview). */
export async function previewDestroy(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions = {},
): Promise<{ changes: OpMap; total: number; logFile: string }> {
  const run = await startRun(plan, secrets, "preview-destroy", options, false);
  try {
    const result = await run.cs.stack.previewDestroy({ onOutput: run.onOutput, onError: run.onOutput });
    return { changes: result.changeSummary, total: totalFromSummary(result.changeSummary), logFile: run.logFile };
  } catch (err) {
    throw await failure(run, "destroy", err, plan, false);
  } finally {
    await finishRun(run);
  }
}
