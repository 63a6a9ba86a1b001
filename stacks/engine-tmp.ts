/**
 * A private temporary directory for the engine and its plugins, one per `cto` process.
 *
 * Why: the kubernetes provider writes the cluster's kubeconfig (credentials included) to a new
 * `$TMPDIR/kubeconfig*` file every time it is configured, for Helm, and never removes it; hundreds
 * piled up in /tmp here. Pointing the engine's TMPDIR at `<ctoHome>/run/tmp/<pid>` (0700) keeps
 * those copies inside cto's home, and removing the directory when cto exits removes them. A run
 * that was killed cannot clean up; the next one removes directories whose process is gone.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { processExists } from "./process-exists.js";

const created = new Set<string>();

/** Removes the temporary directories of `cto` processes that are no longer running. */
export function sweepEngineTempDirs(home: string): void {
  const root = path.join(home, "run", "tmp");
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processExists(pid))
      rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

/**
 * `<home>/run/tmp/<pid>`, created (0700) on first use together with a sweep of dead processes'
 * directories, and removed when this process exits.
 */
export function engineTempDir(home: string): string {
  const dir = path.join(home, "run", "tmp", String(process.pid));
  if (!created.has(dir)) {
    sweepEngineTempDirs(home);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    created.add(dir);
    if (created.size === 1) process.once("exit", removeEngineTempDirs);
  }
  return dir;
}

/** Removes the directories this process created (also runs on exit). */
export function removeEngineTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}
