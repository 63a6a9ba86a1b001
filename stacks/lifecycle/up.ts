/** `up` (also upgrade and rollback): apply the plan, recorded in the history before and after. */
import os from "node:os";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { historyDir, recordFinish, recordStart, type HistoryOperation } from "../history.js";
import type { CtoStack } from "../workspace.js";
import { cancelledBy, failure, finishRun, maskOutputs, NOISE, startRun } from "./engine-run.js";
import { prepareProgram } from "./prepare-program.js";
import { resolvePendingOperations } from "./resolve-pending.js";
import type { LifecycleOptions, UpdateReport } from "./types.js";

export interface UpOptions extends LifecycleOptions {
  /** What the history calls this update. */
  operation?: HistoryOperation;
  /** For a rollback: the history record re-applied. */
  rollbackOf?: number;
  /** The preview's count, for `[n/total]`. */
  total?: number;
  /** Refresh state from the cluster first. */
  refresh?: boolean;
}

/** Apply the plan. Records it in the history first, and the result after. */
export async function up(plan: Plan, secrets: PlanSecrets, options: UpOptions = {}): Promise<UpdateReport> {
  const operation = options.operation ?? "up";
  const run = await startRun(plan, secrets, operation, options, true, options.total ?? 0);
  const hdir = historyDir(run.cs.home, run.cs.project, run.cs.name);
  let record = await recordStart(hdir, {
    operation,
    plan,
    rollbackOf: options.rollbackOf,
    user: os.userInfo().username,
    host: os.hostname(),
  });
  try {
    await resolvePendingOperations(run, plan, options, "up");
    const program = await prepareProgram(run, plan, secrets, options);
    const result = await run.cs.stack.up({
      program,
      onEvent: run.onEvent,
      onOutput: run.onOutput,
      onError: run.onOutput,
      signal: options.signal,
      refresh: options.refresh,
    });
    const changes = result.summary.resourceChanges ?? {};
    record = await recordFinish(hdir, record, {
      status: "succeeded",
      engineVersion: result.summary.version,
      changes: changes as Record<string, number>,
    });
    return {
      environment: plan.environment,
      operation,
      changes,
      rows: run.model.rowsInOrder(),
      seconds: run.model.elapsedSeconds(),
      outputs: maskOutputs(result.outputs),
      logFile: run.logFile,
      history: record,
      warnings: run.model.warnings.filter((w) => !NOISE.some((re) => re.test(w))),
    };
  } catch (err) {
    const cancelled = cancelledBy(options);
    const error = await failure(run, operation, err, plan, cancelled);
    const engineVersion = await latestEngineVersion(run.cs, "update").catch(() => undefined);
    await recordFinish(hdir, record, {
      status: cancelled ? "cancelled" : "failed",
      engineVersion,
      error: error.message,
    }).catch(() => undefined);
    throw error;
  } finally {
    await finishRun(run);
  }
}

async function latestEngineVersion(cs: CtoStack, kind: string): Promise<number | undefined> {
  const [latest] = await cs.stack.history(1);
  return latest && latest.kind === kind ? latest.version : undefined;
}
