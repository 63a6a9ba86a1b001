/**
 * Velero backups of an environment (`cto backup list | create | restore`): the Backup and Restore
 * objects (velero.io/v1) cto creates in Velero's namespace, what their status says, and following
 * one until Velero reports an outcome.
 *
 * A manual backup covers what the scheduled one covers (templates/values/velero.yaml.hbs: every
 * namespace of the platform, the default storage location, the configured retention). A restore
 * names one backup and optionally narrows it to some of its namespaces; Velero keeps objects that
 * already exist (its default `existingResourcePolicy: none`) and recreates missing ones.
 *
 * Velero's Backup and Restore CRDs have no status subresource: Velero writes `status` on the
 * object itself. Nothing here runs Velero; on a cluster without a running Velero (the simulated
 * one) an object stays without a phase, and following it ends at the time limit.
 */
import { randomBytes } from "node:crypto";
import type { Plan } from "../profiles/plan.js";
import type { Kubectl, KubeResult } from "./diagnose/kubectl.js";

export const VELERO_API = "velero.io/v1";
/** Label on every Backup/Restore cto creates: who asked (`manual`). */
export const BACKUP_ORIGIN_LABEL = "cto.dev/backup";

export interface VeleroObject {
  apiVersion: string;
  kind: "Backup" | "Restore";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec: Record<string, unknown>;
  status?: VeleroStatus;
}

export interface VeleroStatus {
  phase?: string;
  progress?: { itemsBackedUp?: number; itemsRestored?: number; totalItems?: number };
  errors?: number;
  warnings?: number;
  failureReason?: string;
  validationErrors?: string[];
  startTimestamp?: string;
  completionTimestamp?: string;
  expiration?: string;
}

/** Phases after which Velero changes nothing more, with what they mean for the user. */
const OUTCOMES: Record<string, "succeeded" | "partial" | "failed"> = {
  Completed: "succeeded",
  PartiallyFailed: "partial",
  Failed: "failed",
  FailedValidation: "failed",
};

/** "succeeded" | "partial" | "failed" for a final phase, undefined while Velero is still at work. */
export function outcomeOf(phase: string | undefined): "succeeded" | "partial" | "failed" | undefined {
  return phase ? OUTCOMES[phase] : undefined;
}

/** Backups a restore can use: Velero restores only from these phases. */
export const RESTORABLE_PHASES = ["Completed", "PartiallyFailed"] as const;

/** Where Velero runs and what it backs up, or undefined when the plan has no backup. */
export function backupTarget(plan: Plan): { namespace: string; namespaces: string[]; ttl: string } | undefined {
  const component = plan.components.find((c) => c.name === "backup");
  if (!plan.features.backup || !plan.backup || !component) return undefined;
  const namespaces = [...new Set([plan.platform.namespace, ...Object.values(plan.namespaces)])].sort();
  return { namespace: component.namespace, namespaces, ttl: plan.backup.ttl };
}

/** `YYYYMMDD-HHMMSS` in UTC, for object names. */
export function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace("T", "-")
    .replace(/\.\d+Z$/, "");
}

/**
 * Four hex digits that keep two objects made in the same second apart (two `cto backup restore`
 * runs of one backup, or two teammates): the name alone would collide with AlreadyExists.
 */
export function nameSuffix(): string {
  return randomBytes(2).toString("hex");
}

function labels(plan: Plan): Record<string, string> {
  return {
    ...plan.platform.labels,
    "app.kubernetes.io/managed-by": "cto",
    [BACKUP_ORIGIN_LABEL]: "manual",
  };
}

/** The Backup `cto backup create` makes: the scheduled backup's scope, now. */
export function backupObject(plan: Plan, now: Date, name?: string, suffix = nameSuffix()): VeleroObject {
  const target = backupTarget(plan);
  if (!target) throw new Error("backupObject: the plan has no backup");
  return {
    apiVersion: VELERO_API,
    kind: "Backup",
    metadata: {
      name: name ?? `${plan.platform.name}-${stamp(now)}-${suffix}`,
      namespace: target.namespace,
      labels: labels(plan),
    },
    spec: {
      includedNamespaces: target.namespaces,
      storageLocation: "default",
      ttl: target.ttl,
    },
  };
}

/** The Restore of one backup, optionally narrowed to some of its namespaces. */
export function restoreObject(
  plan: Plan,
  backup: string,
  namespaces: string[],
  now: Date,
  suffix = nameSuffix(),
): VeleroObject {
  const target = backupTarget(plan);
  if (!target) throw new Error("restoreObject: the plan has no backup");
  // Velero copies the restore's name into a label (hashed past 63 characters): keep it readable.
  const name = `${backup.slice(0, 34).replace(/-+$/, "")}-restore-${stamp(now)}-${suffix}`;
  return {
    apiVersion: VELERO_API,
    kind: "Restore",
    metadata: { name, namespace: target.namespace, labels: labels(plan) },
    spec: {
      backupName: backup,
      ...(namespaces.length > 0 ? { includedNamespaces: [...namespaces].sort() } : {}),
    },
  };
}

const RESOURCE = { Backup: "backups.velero.io", Restore: "restores.velero.io" } as const;

/** Every Backup in Velero's namespace, newest first. */
export async function listBackups(k: Kubectl, namespace: string): Promise<KubeResult<VeleroObject[]>> {
  const r = await k.json<{ items: VeleroObject[] }>(["get", RESOURCE.Backup, "-n", namespace, "-o", "json"]);
  if (!r.ok) return r;
  const created = (o: VeleroObject) => o.metadata.creationTimestamp ?? "";
  return { ok: true, value: [...r.value.items].sort((a, b) => (created(a) < created(b) ? 1 : -1)) };
}

/** One Backup or Restore by name. */
export function getVeleroObject(
  k: Kubectl,
  kind: "Backup" | "Restore",
  namespace: string,
  name: string,
): Promise<KubeResult<VeleroObject>> {
  return k.json<VeleroObject>(["get", RESOURCE[kind], name, "-n", namespace, "-o", "json"]);
}

/** "120/340 items" (or "" before Velero counted). */
export function progressText(object: VeleroObject): string {
  const p = object.status?.progress;
  if (!p || p.totalItems === undefined) return "";
  const done = object.kind === "Backup" ? p.itemsBackedUp : p.itemsRestored;
  return `${done ?? 0}/${p.totalItems} items`;
}

/** One line: phase, progress, errors and warnings. */
export function statusLine(object: VeleroObject): string {
  const s = object.status ?? {};
  const parts = [s.phase ?? "not picked up by Velero yet"];
  const progress = progressText(object);
  if (progress) parts.push(progress);
  if (s.errors) parts.push(`${s.errors} error${s.errors === 1 ? "" : "s"}`);
  if (s.warnings) parts.push(`${s.warnings} warning${s.warnings === 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** Why a finished object did not fully succeed, from its status. */
export function failureText(object: VeleroObject): string {
  const s = object.status ?? {};
  const reasons = [s.failureReason, ...(s.validationErrors ?? [])].filter((r): r is string => Boolean(r));
  return reasons.join("; ");
}

export interface FollowOptions {
  timeoutMs: number;
  /** Called with each new status line (phase or progress changed). */
  onChange?: (line: string) => void;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Reads the object until Velero reports a final phase; returns the last object read and whether
 * the time ran out first. A read that fails is returned as is.
 */
export async function followVeleroObject(
  k: Kubectl,
  kind: "Backup" | "Restore",
  namespace: string,
  name: string,
  options: FollowOptions,
): Promise<KubeResult<{ object: VeleroObject; timedOut: boolean }>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + options.timeoutMs;
  let last = "";
  for (;;) {
    const r = await getVeleroObject(k, kind, namespace, name);
    if (!r.ok) return r;
    const line = statusLine(r.value);
    if (line !== last) options.onChange?.(line);
    last = line;
    if (outcomeOf(r.value.status?.phase)) return { ok: true, value: { object: r.value, timedOut: false } };
    if (Date.now() >= deadline) return { ok: true, value: { object: r.value, timedOut: true } };
    await sleep(Math.min(options.pollMs ?? 2000, Math.max(0, deadline - Date.now())));
  }
}
