/** `refresh`: read the cluster and bring the state in line. */
import type { UpdateSummary } from "@pulumi/pulumi/automation/index.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { cancelledBy, failure, finishRun, maskOutputs, startRun, type Run } from "./engine-run.js";
import { resolvePendingOperations } from "./resolve-pending.js";
import type { LifecycleOptions, UpdateReport } from "./types.js";

/** Read the cluster and bring the state in line; `clearPending` drops operations a crash left pending. */
export async function refresh(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions & { clearPending?: boolean } = {},
): Promise<UpdateReport> {
  const run = await startRun(plan, secrets, "refresh", options, false);
  try {
    const result = options.clearPending
      ? await refreshResolvingPending(run, plan, options)
      : (
          await run.cs.stack.refresh({
            onEvent: run.onEvent,
            onOutput: run.onOutput,
            onError: run.onOutput,
            signal: options.signal,
          })
        ).summary;
    return {
      environment: plan.environment,
      operation: "refresh",
      changes: result.resourceChanges ?? {},
      rows: run.model.rowsInOrder(),
      seconds: run.model.elapsedSeconds(),
      outputs: maskOutputs(await run.cs.stack.outputs()),
      logFile: run.logFile,
      warnings: run.model.warnings,
    };
  } catch (err) {
    throw await failure(run, "refresh", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}

/**
 * A refresh that also resolves what an interrupted run left pending, as `cto up` does first (see
 * `pending.ts`): the Automation API has no option for pending creates, so the CLI runs it with the
 * workspace's directory and environment; output goes to the log.
 */
async function refreshResolvingPending(run: Run, plan: Plan, options: LifecycleOptions): Promise<UpdateSummary> {
  await resolvePendingOperations(run, plan, options, "refresh");
  const [latest] = await run.cs.stack.history(1);
  if (!latest) throw new Error("refresh finished but the stack has no history entry");
  return latest;
}
