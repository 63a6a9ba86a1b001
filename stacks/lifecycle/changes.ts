/** Which planned changes lose data: pure rules the preview applies to each step. */
import type { OpType } from "@pulumi/pulumi/automation/index.js";

/** Types whose replacement or deletion loses data. */
const STATEFUL_TYPES = [
  /:core\/v1:PersistentVolumeClaim$/,
  /:core\/v1:PersistentVolume$/,
  /:apps\/v1:StatefulSet$/,
  /:core\/v1:Namespace$/,
  /^kubernetes:postgresql\.cnpg\.io\/v\d+:Cluster$/,
  /^kubernetes:redis\.redis\.opstreelabs\.in\/\w+:Redis(Cluster|Replication|Sentinel)?$/,
  /^kubernetes:velero\.io\/v\d+:(Backup|BackupStorageLocation)$/,
];

const DESTRUCTIVE_OPS = new Set<OpType>(["replace", "delete", "delete-replaced", "create-replacement"]);

/**
 * Input properties whose values differ (names only; values are never kept). Used when the
 * provider reports no diff keys (dynamic providers don't).
 */
export function changedKeys(olds?: Record<string, unknown>, news?: Record<string, unknown>): string[] {
  if (!olds || !news) return [];
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !k.startsWith("__") && JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
}

/** Whether replacing/deleting a resource of this type and component loses data. */
export function isStatefulChange(type: string, op: OpType, componentCategory?: string): boolean {
  if (!DESTRUCTIVE_OPS.has(op)) return false;
  if (STATEFUL_TYPES.some((re) => re.test(type))) return true;
  // Removing a database operator's release removes its CRDs and, with them, the databases.
  return componentCategory === "database" && /helm\.sh\/v\d+:Release$/.test(type);
}
