/**
 * Who holds a stack's lock, for the file backend (the diy backend keeps one JSON file per holder
 * under `.pulumi/locks/<org>/<project>/<stack>/`: pid, username, hostname, timestamp).
 *
 * A lock is *stale* when its process is known to be gone: same host and no such process (or a
 * process that is not a Pulumi engine). On another host liveness cannot be known, so the user
 * decides. Clearing is done by the engine (`pulumi cancel`, `Stack.cancel()`), which also works
 * for object storage and the Pulumi service, and only after the user confirmed.
 */
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Backend } from "./backend.js";
import { processExists } from "./process-exists.js";

export interface LockInfo {
  file: string;
  user: string;
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  time: string;
  /** true: holder runs; false: holder gone (stale); undefined: another host, unknown. */
  alive?: boolean;
}

/** The locks held on `project/stack` in a file backend; [] for other backends or none. */
export async function listLocks(backend: Backend, project: string, stack: string): Promise<LockInfo[]> {
  if (!backend.dir) return [];
  const root = path.join(backend.dir, ".pulumi", "locks");
  let orgs: string[];
  try {
    orgs = await readdir(root);
  } catch {
    return [];
  }
  const out: LockInfo[] = [];
  for (const org of orgs) {
    const dir = path.join(root, org, project, stack);
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        const raw = JSON.parse(await readFile(path.join(dir, f), "utf8")) as {
          pid?: number;
          username?: string;
          hostname?: string;
          timestamp?: string;
        };
        const info: LockInfo = {
          file: path.join(dir, f),
          user: raw.username ?? "?",
          host: raw.hostname ?? "?",
          pid: raw.pid ?? 0,
          time: raw.timestamp ? new Date(raw.timestamp).toISOString().replace(/\.\d+Z$/, "Z") : "?",
        };
        info.alive = await holderAlive(info);
        out.push(info);
      } catch {
        // a lock file being written or removed right now
      }
    }
  }
  return out;
}

/** Whether the holder process still runs (only knowable on this host). */
export async function holderAlive(lock: Pick<LockInfo, "host" | "pid">): Promise<boolean | undefined> {
  if (lock.host !== os.hostname()) return undefined;
  if (!processExists(lock.pid)) return false;
  // The pid exists; make sure it is still a Pulumi engine and not a reused pid.
  try {
    const cmd = await readFile(`/proc/${lock.pid}/cmdline`, "utf8");
    return /pulumi/.test(cmd);
  } catch {
    return true; // no /proc (macOS): trust the pid
  }
}

/** `root@vm (pid 4242) since 2026-11-25T12:00:00Z, still running` */
export function describeLock(l: LockInfo): string {
  const state = l.alive === true ? "still running" : l.alive === false ? "no longer running" : "on another host";
  return `${l.user}@${l.host} (pid ${l.pid}) since ${l.time}, ${state}`;
}

export function describeLocks(locks: LockInfo[]): string {
  return locks.map(describeLock).join("; ");
}
