/** Read-only questions about an environment: status, stacks, history, rollback target, locks. No engine run. */
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { historyDir, readHistory, rollbackTarget, type HistoryOperation, type HistoryRecord } from "../history.js";
import { readEngineHistory, sharedHistory } from "../shared-history.js";
import { listLocks, type LockInfo } from "../lock.js";
import { contextFor } from "../run-context.js";
import { maskOutputs, noProgram, openExplained } from "./engine-run.js";
import type { FastPathResult } from "./fast-path.js";
import type { LifecycleOptions } from "./types.js";

export interface StackStatus {
  environment: string;
  project: string;
  backend: string;
  outputs: Record<string, unknown>;
  resourceCount: number;
  lastUpdate?: { kind: string; result: string; startTime: string; endTime?: string; version: number };
  /** Who holds the stack's lock (file backends), if anyone. */
  locks: LockInfo[];
}

/** Outputs, last update and resource count of an environment (no engine run). */
export async function status(plan: Plan, secrets: PlanSecrets, options: LifecycleOptions = {}): Promise<StackStatus> {
  const cs = await openExplained(plan, secrets, {
    context: contextFor(plan, options),
    program: noProgram,
    create: false,
  });
  const [outputs, [last], summaries, locks] = await Promise.all([
    cs.stack.outputs(),
    cs.stack.history(1),
    cs.workspace.listStacks(),
    listLocks(cs.backend, cs.project, cs.name),
  ]);
  const summary = summaries.find((s) => s.name === cs.name || s.name.endsWith(`/${cs.name}`));
  return {
    environment: cs.name,
    project: cs.project,
    backend: cs.backend.url,
    outputs: maskOutputs(outputs),
    resourceCount: summary?.resourceCount ?? 0,
    lastUpdate: last
      ? {
          kind: last.kind,
          result: last.result,
          startTime: new Date(last.startTime).toISOString(),
          endTime: last.endTime ? new Date(last.endTime).toISOString() : undefined,
          version: last.version,
        }
      : undefined,
    locks,
  };
}

export interface StackListEntry {
  environment: string;
  lastUpdate?: string;
  resourceCount?: number;
  updateInProgress: boolean;
}

/** Every environment (stack) of the platform's project in its backend. */
export async function listStacks(plan: Plan, options: LifecycleOptions = {}): Promise<StackListEntry[]> {
  // Opening selects the plan's environment if it exists; listing needs no stack, so any name works.
  const { listStacksOnly } = await import("../workspace.js");
  const summaries = await listStacksOnly(plan, { context: contextFor(plan, options) });
  return summaries
    .map((s) => ({
      environment: s.name.split("/").pop() as string,
      lastUpdate: s.lastUpdate,
      resourceCount: s.resourceCount,
      updateInProgress: s.updateInProgress ?? false,
    }))
    .sort((a, b) => a.environment.localeCompare(b.environment));
}

export interface HistoryEntry {
  /** cto's record number (what `cto rollback --to N` takes). */
  n: number;
  operation: HistoryOperation;
  status: string;
  startedAt: string;
  finishedAt?: string;
  release: string;
  profile: string;
  versions: Record<string, string>;
  programVersion: string;
  engineVersion?: number;
  changes?: Record<string, number>;
  rollbackOf?: number;
  user?: string;
  host?: string;
}

/**
 * The shared history of an environment (the backend's update records, see `../shared-history.ts`),
 * oldest first. A file backend is read directly; others through the CLI. No stack: none.
 */
export async function sharedRecords(
  plan: Plan,
  options: Pick<LifecycleOptions, "context" | "env" | "home" | "cli"> = {},
): Promise<HistoryRecord[]> {
  const context = contextFor(plan, options);
  const { home, backend } = context;
  const project = plan.platform.name;
  const journal = await readHistory(historyDir(home, project, plan.environment));
  let entries;
  if (backend.dir) {
    entries = await readEngineHistory({ backend, project, stack: plan.environment });
  } else {
    const { runCli } = await import("../workspace.js");
    let cs;
    try {
      cs = await openExplained(plan, {}, { context, program: noProgram, create: false });
    } catch (err) {
      if (/has no stack yet/.test((err as Error)?.message ?? "")) return [];
      throw err;
    }
    entries = await readEngineHistory({ backend, project, stack: plan.environment, runCli: (a) => runCli(cs, a) });
  }
  return sharedHistory(entries, journal);
}

/** The recorded updates of an environment, oldest first. */
export async function history(plan: Plan, options: LifecycleOptions = {}): Promise<HistoryEntry[]> {
  const records = await sharedRecords(plan, options);
  return records.map((r) => ({
    n: r.n,
    operation: r.operation,
    status: r.status,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    release: r.release,
    profile: r.profile,
    versions: r.versions,
    programVersion: r.programVersion,
    engineVersion: r.n,
    changes: r.changes,
    rollbackOf: r.rollbackOf,
    user: r.user,
    host: r.host,
  }));
}

/** The latest successful update of the environment, if any. */
export async function lastApplied(
  plan: Plan,
  options: Pick<LifecycleOptions, "context" | "env" | "home"> = {},
): Promise<HistoryRecord | undefined> {
  const records = await sharedRecords(plan, options);
  return records.filter((r) => r.status === "succeeded" && ["up", "upgrade", "rollback"].includes(r.operation)).pop();
}

/**
 * True when a preview without changes means there is nothing to do, not even a new history
 * record: with a file backend, when the fast path's checks hold (the last update recorded this
 * very fingerprint, see `fast-path.ts`), so after a change of cto's version or a refresh one
 * update records the new fingerprint; elsewhere, when the latest successful update applied
 * exactly this plan.
 */
export async function planAlreadyApplied(
  plan: Plan,
  secrets: PlanSecrets,
  options: Pick<LifecycleOptions, "context" | "env" | "home" | "runtime" | "programFor"> & {
    /**
     * The fast path's answer from before the preview (`cto up` asks it first). Still valid when
     * the preview wrote no stack config (`PreviewReport.configWritten`): nothing it reads changed,
     * so it is not worked out a second time.
     */
    fastPath?: FastPathResult;
  } = {},
): Promise<boolean> {
  const context = contextFor(plan, options);
  if (context.backend.dir) {
    if (options.fastPath) return options.fastPath.fast;
    const { noChangesSince } = await import("./fast-path.js");
    return (await noChangesSince(plan, secrets, { ...options, context })).fast;
  }
  const last = await lastApplied(plan, { context });
  return last !== undefined && JSON.stringify(last.plan) === JSON.stringify(plan);
}

/**
 * The plan a rollback re-applies: update `to` of the history, or the successful update before the
 * current one. The plan is as recorded; secrets are the current ones (values are never recorded).
 */
export async function rollbackPlan(
  plan: Plan,
  secrets: PlanSecrets,
  to: number | undefined,
  options: Pick<LifecycleOptions, "context" | "env" | "home"> = {},
): Promise<{ record: HistoryRecord; plan: Plan; missingSecrets: string[] }> {
  const records = await sharedRecords(plan, options);
  const record = rollbackTarget(records, to);
  return {
    record,
    plan: record.plan,
    missingSecrets: record.secretNames.filter((n) => secrets[n] === undefined),
  };
}

/** Locks held on an environment's stack (file backends; empty for others). */
export async function locks(plan: Plan, options: LifecycleOptions = {}): Promise<LockInfo[]> {
  return listLocks(contextFor(plan, options).backend, plan.platform.name, plan.environment);
}
