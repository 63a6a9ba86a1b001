/**
 * The update history shared through the state backend, so that everyone with the backend sees the
 * same `cto history` and can `cto rollback`.
 *
 * Where it lives, and why there: in the backend's own update history. Every update, refresh and
 * destroy the engine runs is recorded by the backend with the stack config it ran with — by the
 * diy backends (`file://`, `s3://`, `gs://`, `azblob://`) as `.pulumi/history/<project>/<stack>/
 * <stack>-<time>.history.json` next to the state, by Pulumi Cloud as the stack's updates. cto
 * writes two plain config keys before each update, and so they land in that record:
 * - `cto:plan`, the resolved plan (already the program's input; it holds no secret values);
 * - `cto:update` (`UpdateMeta`): operation, rollback target, cto version, the fingerprint of the
 *   program's inputs (`fingerprint.ts`), who ran it, and a run id linking it to the local journal.
 * The alternatives do not work for every backend: stack tags hold 256 characters on Pulumi Cloud
 * (a plan is tens of kB), files next to the state need a client per object store, and a stack
 * output is written only when the program completes. The engine's record needs nothing but the
 * engine, and carries the result, times and resource changes itself.
 *
 * Reading: a file backend's history files are read directly (no engine process); other backends
 * through `pulumi stack history --json` (without `--show-secrets`: secret config stays blinded).
 * The number of an update is the engine's version where the backend keeps one (Pulumi Cloud),
 * else its position in the history (the diy backends number nothing).
 *
 * Local records of older cto versions (`history.ts`, schemaVersion 1) are kept. They are matched
 * to the backend's entries by time; what they add (operation, rollback target, cto version, user)
 * is written once into `cto:historyImport` before the next update, so that it reaches the backend
 * with that update's record and every reader sees it.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { Plan } from "../profiles/plan.js";
import type { Backend } from "./backend.js";
import { planVersions, type HistoryOperation, type HistoryRecord, type HistoryStatus } from "./history.js";
import { CONFIG_KEYS } from "./program-config.js";

/** Plain config key: this update's `UpdateMeta`. */
export const UPDATE_CONFIG_KEY = "cto:update";
/** Plain config key: metadata of older local records, migrated into the backend (`ImportedRecord[]`). */
export const HISTORY_IMPORT_KEY = "cto:historyImport";

/** What cto says about an update, in its `cto:update` config. */
export interface UpdateMeta {
  schema: 1;
  /** Run id, also in the local journal. */
  id: string;
  operation: HistoryOperation;
  /** For a rollback: the number of the update it re-applied. */
  rollbackOf?: number;
  ctoVersion: string;
  fingerprint?: string;
  user?: string;
  host?: string;
}

/** One older local record's metadata, keyed by the engine entry's start time. */
export interface ImportedRecord {
  startTime: number;
  operation: HistoryOperation;
  /** Start time of the entry it rolled back to. */
  rollbackOfStart?: number;
  programVersion: string;
  user?: string;
  host?: string;
  status?: HistoryStatus;
}

/** One entry of the backend's update history; config holds plain values only (secret ones absent). */
export interface EngineEntry {
  /** The backend's version number; 0 where it keeps none. */
  version: number;
  kind: string;
  /** Unix seconds. */
  startTime: number;
  endTime?: number;
  result: string;
  config: Record<string, string>;
  resourceChanges?: Record<string, number>;
}

/** Where a stack's history files are in a diy backend directory. */
export function historyFilesDir(backendDir: string, project: string, stack: string): string {
  return path.join(backendDir, ".pulumi", "history", project, stack);
}

type RawConfig = Record<string, unknown>;

/** A config map as the diy backend stores it (plain values are strings; secrets `{secure}`). */
function plainConfig(raw: RawConfig | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (typeof v === "string") out[k] = v;
    else if (v && typeof v === "object" && "value" in v && !(v as { secret?: boolean }).secret) {
      // `pulumi stack history --json`: { value, secret, objectValue }
      const value = (v as { value?: unknown }).value;
      if (typeof value === "string") out[k] = value;
    }
  }
  return out;
}

/** An entry from a diy history file or the CLI's JSON (times as unix seconds or ISO text). */
export function parseEngineEntry(raw: Record<string, unknown>): EngineEntry {
  const time = (v: unknown): number | undefined =>
    typeof v === "number" ? v : typeof v === "string" && v ? Math.floor(Date.parse(v) / 1000) : undefined;
  return {
    version: typeof raw.version === "number" ? raw.version : 0,
    kind: String(raw.kind ?? "update"),
    startTime: time(raw.startTime) ?? 0,
    endTime: time(raw.endTime) || undefined,
    result: String(raw.result ?? ""),
    config: plainConfig(raw.config as RawConfig | undefined),
    ...(raw.resourceChanges ? { resourceChanges: raw.resourceChanges as Record<string, number> } : {}),
  };
}

/** The history files of a diy backend directory, oldest first (names end in the start time in ns). */
export async function readHistoryFiles(
  backendDir: string,
  project: string,
  stack: string,
  options: { last?: number } = {},
): Promise<EngineEntry[]> {
  const dir = historyFilesDir(backendDir, project, stack);
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => /\.history\.json(\.gz)?$/.test(f))
    .sort((a, b) => stampOf(a) - stampOf(b) || a.localeCompare(b));
  const picked = options.last !== undefined ? files.slice(-options.last) : files;
  const offset = files.length - picked.length;
  const entries: EngineEntry[] = [];
  for (const [i, f] of picked.entries()) {
    try {
      let bytes = await readFile(path.join(dir, f));
      if (f.endsWith(".gz")) bytes = gunzipSync(bytes);
      const entry = parseEngineEntry(JSON.parse(bytes.toString("utf8")) as Record<string, unknown>);
      entries.push({ ...entry, version: entry.version || offset + i + 1 });
    } catch {
      // A file being written right now; the engine writes it whole, so a later read sees it.
    }
  }
  return entries;
}

/** The time in a history directory's file name (`<stack>-<ns>.history.json`, `….checkpoint.json`). */
function stampOf(file: string): number {
  const m = /-(\d+)\.(?:history|checkpoint)\.json/.exec(file);
  return m ? Number(m[1]) : 0;
}

/**
 * The copy of the state the diy backend keeps with its latest history entry (bytes), if any: what
 * the stack's state was when that update ended.
 */
export async function latestCheckpointCopy(
  backendDir: string,
  project: string,
  stack: string,
): Promise<Buffer | undefined> {
  const dir = historyFilesDir(backendDir, project, stack);
  const latest = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".checkpoint.json"))
    .sort((a, b) => stampOf(a) - stampOf(b))
    .pop();
  return latest ? readFile(path.join(dir, latest)).catch(() => undefined) : undefined;
}

/** The parsed `cto:update` of an entry, if cto wrote one. */
export function updateMeta(entry: EngineEntry): UpdateMeta | undefined {
  const text = entry.config[UPDATE_CONFIG_KEY];
  if (!text) return undefined;
  try {
    const meta = JSON.parse(text) as UpdateMeta;
    return meta && meta.schema === 1 ? meta : undefined;
  } catch {
    return undefined;
  }
}

function planOf(entry: EngineEntry): Plan | undefined {
  const text = entry.config[CONFIG_KEYS.plan];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Plan;
  } catch {
    return undefined;
  }
}

const OPERATION_OF_KIND: Record<string, HistoryOperation> = { refresh: "refresh", destroy: "destroy", update: "up" };

/** An older local record (written before the history was shared) matches the entry it started. */
function legacyMatch(journal: readonly HistoryRecord[], entry: EngineEntry): HistoryRecord | undefined {
  return journal.find((r) => {
    if (r.schemaVersion !== 1 || entry.kind !== "update") return false;
    const started = Math.floor(Date.parse(r.startedAt) / 1000);
    const finished = r.finishedAt ? Math.ceil(Date.parse(r.finishedAt) / 1000) : started + 24 * 3600;
    return entry.startTime >= started - 2 && entry.startTime <= finished + 2;
  });
}

function resultStatus(result: string): HistoryStatus {
  if (result === "succeeded") return "succeeded";
  if (result === "in-progress" || result === "not-started") return "started";
  return "failed";
}

/**
 * The shared history: the backend's entries that ran cto's program (they carry `cto:plan`),
 * oldest first, enriched by this machine's journal (a cancel, an error text) and by older
 * records, local or migrated (`cto:historyImport` of any entry).
 */
export function sharedHistory(entries: readonly EngineEntry[], journal: readonly HistoryRecord[]): HistoryRecord[] {
  const imported = new Map<number, ImportedRecord>();
  for (const e of entries) {
    const text = e.config[HISTORY_IMPORT_KEY];
    if (!text) continue;
    try {
      for (const r of JSON.parse(text) as ImportedRecord[]) imported.set(r.startTime, r);
    } catch {
      // not ours to judge: an unreadable import adds nothing
    }
  }
  const numberAt = new Map(entries.map((e) => [e.startTime, e.version]));
  const legacyNumber = (r: HistoryRecord | undefined): number | undefined => {
    if (r?.rollbackOf === undefined) return undefined;
    const target = journal.find((j) => j.schemaVersion === 1 && j.n === r.rollbackOf);
    const entry = target && entries.find((e) => legacyMatch([target], e));
    return entry?.version;
  };
  const out: HistoryRecord[] = [];
  for (const e of entries) {
    const plan = planOf(e);
    if (!plan) continue;
    const meta = updateMeta(e);
    const mine = meta ? journal.find((r) => r.id === meta.id) : undefined;
    const legacy = meta ? undefined : legacyMatch(journal, e);
    const old = meta ? undefined : imported.get(e.startTime);
    const operation =
      e.kind === "update"
        ? (meta?.operation ?? legacy?.operation ?? old?.operation ?? "up")
        : (OPERATION_OF_KIND[e.kind] ?? "other");
    let status = resultStatus(e.result);
    const localStatus = mine?.status ?? legacy?.status ?? old?.status;
    if (status === "failed" && localStatus === "cancelled") status = "cancelled";
    const rollbackOf =
      meta?.rollbackOf ??
      legacyNumber(legacy) ??
      (old?.rollbackOfStart !== undefined ? numberAt.get(old.rollbackOfStart) : undefined);
    const who = meta ?? legacy ?? old;
    const error = mine?.error ?? legacy?.error;
    out.push({
      schemaVersion: 3,
      n: e.version,
      ...(meta?.id ? { id: meta.id } : {}),
      ...(meta?.fingerprint ? { fingerprint: meta.fingerprint } : {}),
      operation,
      ...(rollbackOf !== undefined ? { rollbackOf } : {}),
      startedAt: new Date(e.startTime * 1000).toISOString(),
      ...(e.endTime ? { finishedAt: new Date(e.endTime * 1000).toISOString() } : {}),
      status,
      ...(e.resourceChanges ? { changes: e.resourceChanges } : {}),
      release: plan.release,
      profile: plan.profile.name,
      versions: planVersions(plan),
      programVersion: meta?.ctoVersion ?? legacy?.programVersion ?? old?.programVersion ?? "unknown",
      secretNames: [...(plan.secretNames ?? [])].sort(),
      plan,
      ...(who?.user ? { user: who.user } : {}),
      ...(who?.host ? { host: who.host } : {}),
      ...(error ? { error } : {}),
    });
  }
  return out;
}

/**
 * What this machine's older records add to the backend's entries, for `cto:historyImport`; empty
 * when there is nothing to migrate (no older record matches an entry without `cto:update`).
 */
export function legacyImports(entries: readonly EngineEntry[], journal: readonly HistoryRecord[]): ImportedRecord[] {
  const out: ImportedRecord[] = [];
  for (const e of entries) {
    if (updateMeta(e)) continue;
    const r = legacyMatch(journal, e);
    if (!r) continue;
    const target =
      r.rollbackOf !== undefined ? journal.find((j) => j.schemaVersion === 1 && j.n === r.rollbackOf) : undefined;
    const targetEntry = target ? entries.find((x) => legacyMatch([target], x)) : undefined;
    out.push({
      startTime: e.startTime,
      operation: r.operation,
      ...(targetEntry ? { rollbackOfStart: targetEntry.startTime } : {}),
      programVersion: r.programVersion,
      ...(r.user ? { user: r.user } : {}),
      ...(r.host ? { host: r.host } : {}),
      ...(r.status === "cancelled" ? { status: r.status } : {}),
    });
  }
  return out;
}

/** Reading a backend's history: the direct way for `file://`, the CLI for the others. */
export interface HistorySource {
  backend: Backend;
  project: string;
  stack: string;
  /** Runs `pulumi <args>` for the stack's workspace (needed for non-file backends). */
  runCli?: (args: string[]) => Promise<string>;
}

/** The backend's entries for a stack, oldest first ([] when the stack has none or does not exist). */
export async function readEngineHistory(
  source: HistorySource,
  options: { last?: number } = {},
): Promise<EngineEntry[]> {
  if (source.backend.dir) return readHistoryFiles(source.backend.dir, source.project, source.stack, options);
  if (!source.runCli) throw new Error(`reading the history of ${source.backend.url} needs the Pulumi CLI`);
  // Every page: numbering by position needs them all (a hundred updates per process).
  const pageSize = 100;
  const all: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const text = await source.runCli([
      "stack",
      "history",
      "--json",
      "--stack",
      source.stack,
      "--page-size",
      String(pageSize),
      "--page",
      String(page),
    ]);
    const batch = JSON.parse(text.slice(text.indexOf("["))) as Record<string, unknown>[];
    all.push(...batch);
    if (batch.length < pageSize) break;
  }
  // The CLI lists newest first.
  const entries = all.map(parseEngineEntry).reverse();
  const numbered = entries.map((e, i) => ({ ...e, version: e.version || i + 1 }));
  return options.last !== undefined ? numbered.slice(-options.last) : numbered;
}
