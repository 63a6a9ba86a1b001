/** `up` (also upgrade and rollback): apply the plan, recorded in the history before and after. */
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { programCodeHash } from "../fingerprint.js";
import {
  historyDir,
  programVersion,
  readHistory,
  recordFinish,
  recordStart,
  type HistoryOperation,
  type HistoryRecord,
} from "../history.js";
import {
  HISTORY_IMPORT_KEY,
  legacyImports,
  readEngineHistory,
  sharedHistory,
  UPDATE_CONFIG_KEY,
  type UpdateMeta,
} from "../shared-history.js";
import { runCli } from "../workspace.js";
import { fingerprintOfRun } from "./fast-path.js";
import type { CtoStack } from "../workspace.js";
import { cancelledBy, failure, finishRun, maskOutputs, NOISE, startRun, type Run } from "./engine-run.js";
import { prepareProgram } from "./prepare-program.js";
import { resolvePendingOperations } from "./resolve-pending.js";
import { StepCollector } from "./steps.js";
import type { LifecycleOptions, UpdateReport } from "./types.js";

export interface UpOptions extends LifecycleOptions {
  /** What the history calls this update. */
  operation?: Extract<HistoryOperation, "up" | "upgrade" | "rollback">;
  /** For a rollback: the history record re-applied. */
  rollbackOf?: number;
  /** The preview's count, for `[n/total]`; 0 or none: no preview ran first, `[n/?]`. */
  total?: number;
  /** Refresh state from the cluster first. */
  refresh?: boolean;
}

/**
 * Apply the plan. Records it in the local journal first, and the result after; the shared record
 * is the backend's own entry of this update, which carries `cto:plan` and `cto:update` (written
 * with the stack config just before), see `../shared-history.ts`.
 */
export async function up(plan: Plan, secrets: PlanSecrets, options: UpOptions = {}): Promise<UpdateReport> {
  const operation = options.operation ?? "up";
  const run = await startRun(plan, secrets, operation, options, true, options.total ?? 0);
  const hdir = historyDir(run.cs.home, run.cs.project, run.cs.name);
  const user = os.userInfo().username;
  const host = os.hostname();
  const id = randomBytes(6).toString("hex");
  let record = await recordStart(hdir, { operation, plan, rollbackOf: options.rollbackOf, user, host, id });
  let fingerprint: string | undefined;
  try {
    await resolvePendingOperations(run, plan, options, "up");
    const [ctoVersion, programHash, imports] = await Promise.all([
      programVersion(),
      programCodeHash(),
      migrationImports(run, hdir),
    ]);
    const meta: Omit<UpdateMeta, "fingerprint"> = {
      schema: 1,
      id,
      operation,
      ...(options.rollbackOf !== undefined ? { rollbackOf: options.rollbackOf } : {}),
      ctoVersion,
      user,
      host,
    };
    const program = await prepareProgram(run, plan, secrets, options, (config, runtime) => {
      fingerprint = fingerprintOfRun({ plan, config, runtime, context: run.cs.context, ctoVersion, programHash });
      return {
        [UPDATE_CONFIG_KEY]: JSON.stringify({ ...meta, fingerprint }),
        ...(imports.length > 0 ? { [HISTORY_IMPORT_KEY]: JSON.stringify(imports) } : {}),
      };
    });
    const collector = new StepCollector(run.model, plan, false);
    const result = await run.cs.stack.up({
      program,
      onEvent: (e) => {
        run.onEvent(e); // first: the model learns the resource's parent, used for its component
        collector.handle(e);
      },
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
      fingerprint,
    });
    record = (await sharedRecordOf(run, id)) ?? record;
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
      stateful: collector.unique().filter((s) => s.stateful),
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

/**
 * What this machine's records from before the shared history add to the backend's entries
 * (`cto:historyImport`); written once: the value is stable, and config is only rewritten on change.
 */
async function migrationImports(run: Run, hdir: string): Promise<ReturnType<typeof legacyImports>> {
  const journal = await readHistory(hdir);
  if (!journal.some((r) => r.schemaVersion === 1)) return [];
  const entries = await readEngineHistory({
    backend: run.cs.backend,
    project: run.cs.project,
    stack: run.cs.name,
    runCli: (args) => runCli(run.cs, args),
  }).catch(() => []);
  return legacyImports(entries, journal);
}

/** This update as the shared history shows it (number = the backend's), once recorded. */
async function sharedRecordOf(run: Run, id: string): Promise<HistoryRecord | undefined> {
  try {
    const entries = await readEngineHistory(
      { backend: run.cs.backend, project: run.cs.project, stack: run.cs.name, runCli: (args) => runCli(run.cs, args) },
      run.cs.backend.dir ? { last: 1 } : {},
    );
    const journal = await readHistory(historyDir(run.cs.home, run.cs.project, run.cs.name));
    return sharedHistory(entries, journal).find((r) => r.id === id);
  } catch {
    return undefined;
  }
}

async function latestEngineVersion(cs: CtoStack, kind: string): Promise<number | undefined> {
  const [latest] = await cs.stack.history(1);
  return latest && latest.kind === kind ? latest.version : undefined;
}
