/**
 * What each `cto up` applied, kept so an environment can be rolled back to it.
 *
 * The shared history is the state backend's own update history (`shared-history.ts`): every
 * update the engine records carries the stack config it ran with, and so cto's `cto:plan` and
 * `cto:update` (operation, cto version, fingerprint). This module holds the record type, the
 * rollback rules, and the *local journal*: before every update (up, upgrade, rollback) one record
 * is also written to `<ctoHome>/history/<project>/<stack>/<n>.json` (mode 0600), and after it its
 * result. The journal adds what only this machine knows (a cancel by Ctrl-C, the error text); its
 * records written by cto before the history was shared (schemaVersion 1) are kept, and migrated
 * into the backend once (`shared-history.ts`). Never a state export: state stays in the backend,
 * encrypted.
 *
 * Rolling back to update N re-applies N's plan with the current secrets (Pulumi's own model of a
 * rollback: run the update again with the earlier program inputs).
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../config/errors.js";
import { packageRoot } from "../config/paths.js";
import type { Plan } from "../profiles/plan.js";

/** What cto ran; refresh, destroy and others are engine entries of the shared history. */
export type HistoryOperation = "up" | "upgrade" | "rollback" | "refresh" | "destroy" | "other";
/** The operations that apply a plan (the only rollback targets). */
export const APPLY_OPERATIONS: readonly HistoryOperation[] = ["up", "upgrade", "rollback"];
export type HistoryStatus = "started" | "succeeded" | "failed" | "cancelled";

export interface HistoryRecord {
  /** 1: journal of cto before the shared history; 2: journal now; 3: read from the backend. */
  schemaVersion: 1 | 2 | 3;
  /**
   * In the shared history: the engine's update number (its position in `pulumi stack history`).
   * In the local journal: 1, 2, 3 … in the order this machine started updates.
   */
  n: number;
  /** Links a journal record to the backend's entry of the same run (`cto:update` carries it). */
  id?: string;
  /** The fingerprint of the program's inputs this update applied (see `fingerprint.ts`). */
  fingerprint?: string;
  operation: HistoryOperation;
  /** For a rollback: the record it re-applied. */
  rollbackOf?: number;
  startedAt: string;
  finishedAt?: string;
  status: HistoryStatus;
  /** The engine's update number (`pulumi stack history`), once known. */
  engineVersion?: number;
  /** `create: 3, update: 1, …` as the engine reported. */
  changes?: Record<string, number>;
  release: string;
  profile: string;
  /** Component → chart version (components without a chart are left out). */
  versions: Record<string, string>;
  /** cto's version (the program's version: the program ships inside cto). */
  programVersion: string;
  /** Names of the secrets the plan used; their values are never recorded. */
  secretNames: string[];
  plan: Plan;
  /** Who ran it. */
  user?: string;
  host?: string;
  error?: string;
}

/** Where a stack's records are. */
export function historyDir(home: string, project: string, stack: string): string {
  return path.join(home, "history", project, stack);
}

let cachedVersion: string | undefined;

/** cto's own version from its package.json. */
export async function programVersion(): Promise<string> {
  if (cachedVersion) return cachedVersion;
  try {
    const manifest = JSON.parse(await readFile(path.join(packageRoot(), "package.json"), "utf8")) as {
      version?: string;
    };
    cachedVersion = manifest.version ?? "unknown";
  } catch {
    cachedVersion = "unknown";
  }
  return cachedVersion;
}

/** Component → chart version. */
export function planVersions(plan: Plan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of plan.components) if (c.chart) out[c.name] = c.chart.version;
  return out;
}

/** Every record of a stack, oldest first. */
export async function readHistory(dir: string): Promise<HistoryRecord[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const records: HistoryRecord[] = [];
  for (const f of files.filter((x) => /^\d+\.json$/.test(x))) {
    try {
      records.push(JSON.parse(await readFile(path.join(dir, f), "utf8")) as HistoryRecord);
    } catch {
      // A record cut short by a crash is skipped rather than failing every history command.
    }
  }
  return records.sort((a, b) => a.n - b.n);
}

async function writeRecord(dir: string, record: HistoryRecord): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${String(record.n).padStart(4, "0")}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file); // atomic: a crash never leaves half a record
}

/** Record an update before it starts; returns the record (status "started"). */
export async function recordStart(
  dir: string,
  input: {
    operation: HistoryOperation;
    plan: Plan;
    rollbackOf?: number;
    user?: string;
    host?: string;
    now?: Date;
    id?: string;
    fingerprint?: string;
  },
): Promise<HistoryRecord> {
  const existing = await readHistory(dir);
  const n = (existing[existing.length - 1]?.n ?? 0) + 1;
  const record: HistoryRecord = {
    schemaVersion: 2,
    n,
    ...(input.id ? { id: input.id } : {}),
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    operation: input.operation,
    ...(input.rollbackOf !== undefined ? { rollbackOf: input.rollbackOf } : {}),
    startedAt: (input.now ?? new Date()).toISOString(),
    status: "started",
    release: input.plan.release,
    profile: input.plan.profile.name,
    versions: planVersions(input.plan),
    programVersion: await programVersion(),
    secretNames: [...input.plan.secretNames].sort(),
    plan: input.plan,
    user: input.user,
    host: input.host,
  };
  await writeRecord(dir, record);
  return record;
}

/** Record how an update ended. */
export async function recordFinish(
  dir: string,
  record: HistoryRecord,
  result: {
    status: Exclude<HistoryStatus, "started">;
    engineVersion?: number;
    changes?: Record<string, number>;
    error?: string;
    fingerprint?: string;
  },
  now = new Date(),
): Promise<HistoryRecord> {
  const done: HistoryRecord = {
    ...record,
    status: result.status,
    finishedAt: now.toISOString(),
    ...(result.engineVersion !== undefined ? { engineVersion: result.engineVersion } : {}),
    ...(result.changes ? { changes: result.changes } : {}),
    ...(result.error ? { error: result.error.slice(0, 2000) } : {}),
    ...(result.fingerprint ? { fingerprint: result.fingerprint } : {}),
  };
  await writeRecord(dir, done);
  return done;
}

/**
 * The record a rollback re-applies: `to` when given, else the successful update before the one
 * currently applied (when the latest update failed, the latest successful one).
 */
export function rollbackTarget(all: HistoryRecord[], to?: number): HistoryRecord {
  const records = all.filter((r) => APPLY_OPERATIONS.includes(r.operation ?? "up"));
  if (to !== undefined) {
    const hit = all.find((r) => r.n === to);
    if (!hit) {
      throw new UserError(`there is no update ${to} in this environment's history`, {
        hint: `cto history lists the updates (1–${all[all.length - 1]?.n ?? 0})`,
      });
    }
    if (!records.includes(hit)) {
      throw new UserError(`update ${to} was a ${hit.operation}, which applied no plan`, {
        hint: "pick an up, upgrade or rollback from cto history",
      });
    }
    if (hit.status !== "succeeded") {
      throw new UserError(
        `update ${to} did not succeed (${hit.status}); rolling back to it would re-apply a failed plan`,
        {
          hint: "pick a succeeded update from cto history",
        },
      );
    }
    return hit;
  }
  const latest = records[records.length - 1];
  const succeeded = records.filter((r) => r.status === "succeeded");
  let target: HistoryRecord | undefined;
  if (latest?.status === "succeeded") {
    // The newest earlier update that applied a different plan (repeats of the current one are skipped).
    const current = JSON.stringify(latest.plan);
    target = succeeded
      .slice(0, -1)
      .reverse()
      .find((r) => JSON.stringify(r.plan) !== current);
  } else {
    target = succeeded[succeeded.length - 1];
  }
  if (!target) {
    throw new UserError("there is no earlier successful update with a different plan to roll back to", {
      hint: "cto history lists the updates of this environment",
    });
  }
  return target;
}

/** What differs between two plans' versions and release, one line each ("argo-cd 7.8.0 → 7.9.1"). */
export function versionChanges(from: Plan, to: Plan): string[] {
  const lines: string[] = [];
  if (from.release !== to.release) lines.push(`release ${from.release} → ${to.release}`);
  if (from.profile.name !== to.profile.name) lines.push(`profile ${from.profile.name} → ${to.profile.name}`);
  const a = planVersions(from);
  const b = planVersions(to);
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[name] === b[name]) continue;
    if (a[name] === undefined) lines.push(`${name}: added (${b[name]})`);
    else if (b[name] === undefined) lines.push(`${name}: removed (was ${a[name]})`);
    else lines.push(`${name} ${a[name]} → ${b[name]}`);
  }
  return lines;
}
