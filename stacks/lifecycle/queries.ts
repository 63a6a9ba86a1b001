/** Read-only questions about an environment: status, stacks, history, rollback target, locks. No engine run. */
import { ctoHome } from "../../config/paths.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { historyDir, readHistory, rollbackTarget, type HistoryOperation, type HistoryRecord } from "../history.js";
import { listLocks, type LockInfo } from "../lock.js";
import { maskOutputs, noProgram, openExplained } from "./engine-run.js";
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
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const cs = await openExplained(plan, secrets, { env, home, program: noProgram, cli: options.cli, create: false });
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
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  // Opening selects the plan's environment if it exists; listing needs no stack, so any name works.
  const { listStacksOnly } = await import("../workspace.js");
  const summaries = await listStacksOnly(plan, { env, home, cli: options.cli });
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

/** The recorded updates of an environment, newest last. */
export async function history(plan: Plan, options: LifecycleOptions = {}): Promise<HistoryEntry[]> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const records = await readHistory(historyDir(home, plan.platform.name, plan.environment));
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
    engineVersion: r.engineVersion,
    changes: r.changes,
    rollbackOf: r.rollbackOf,
    user: r.user,
    host: r.host,
  }));
}

/** The latest successful update of the environment, if any. */
export async function lastApplied(
  plan: Plan,
  options: Pick<LifecycleOptions, "env" | "home"> = {},
): Promise<HistoryRecord | undefined> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const records = await readHistory(historyDir(home, plan.platform.name, plan.environment));
  return records.filter((r) => r.status === "succeeded").pop();
}

/**
 * True when the latest successful update applied exactly this plan (so a preview without changes
 * means there is nothing to do, not even a new history record).
 */
export async function planAlreadyApplied(
  plan: Plan,
  options: Pick<LifecycleOptions, "env" | "home"> = {},
): Promise<boolean> {
  const last = await lastApplied(plan, options);
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
  options: Pick<LifecycleOptions, "env" | "home"> = {},
): Promise<{ record: HistoryRecord; plan: Plan; missingSecrets: string[] }> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const records = await readHistory(historyDir(home, plan.platform.name, plan.environment));
  const record = rollbackTarget(records, to);
  return {
    record,
    plan: record.plan,
    missingSecrets: record.secretNames.filter((n) => secrets[n] === undefined),
  };
}

/** Locks held on an environment's stack (file backends; empty for others). */
export async function locks(plan: Plan, options: LifecycleOptions = {}): Promise<LockInfo[]> {
  const env = options.env ?? process.env;
  const { resolveBackend } = await import("../backend.js");
  return listLocks(resolveBackend(plan, { env }), plan.platform.name, plan.environment);
}
