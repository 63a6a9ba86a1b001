/**
 * The `crds/` CRDs a `cto destroy` is about to orphan, kept on disk until they are deleted.
 *
 * `cto destroy` learns the names of the CRDs the charts ship in `crds/` from the Helm release
 * records (`chart-crds.ts`), and the engine's destroy deletes those records with the releases. A
 * destroy killed after the uninstall but before the CRDs were deleted would leave the next destroy
 * nothing to learn them from, so the names are written here first:
 * `<ctoHome>/run/crds/<project>/<stack>.json` (0600; names and times only, no secrets). The file is
 * removed once the CRDs are deleted, or when the user keeps them (`--keep-crds`).
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ReleaseCrds } from "./chart-crds.js";

/** Where the pending CRD names of a stack are kept. */
export function crdLedgerFile(home: string, project: string, stack: string): string {
  return path.join(home, "run", "crds", project, `${stack}.json`);
}

/**
 * Entries of the same release are joined: their CRD names united, the earlier first-deployed
 * time kept (a CRD that release's first install created stays its own after a reinstall, which
 * Helm lets skip the CRD because it already exists).
 */
export function mergeReleaseCrds(...lists: ReleaseCrds[][]): ReleaseCrds[] {
  const byRelease = new Map<string, ReleaseCrds>();
  for (const entry of lists.flat()) {
    const prev = byRelease.get(entry.release);
    if (!prev) {
      byRelease.set(entry.release, { ...entry, crds: [...new Set(entry.crds)].sort() });
      continue;
    }
    byRelease.set(entry.release, {
      release: entry.release,
      firstDeployed:
        Date.parse(entry.firstDeployed) < Date.parse(prev.firstDeployed) ? entry.firstDeployed : prev.firstDeployed,
      crds: [...new Set([...prev.crds, ...entry.crds])].sort(),
    });
  }
  return [...byRelease.values()].sort((a, b) => a.release.localeCompare(b.release));
}

function isReleaseCrds(x: unknown): x is ReleaseCrds {
  const e = x as Partial<ReleaseCrds> | null;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.release === "string" &&
    typeof e.firstDeployed === "string" &&
    Array.isArray(e.crds) &&
    e.crds.every((c) => typeof c === "string")
  );
}

/** The entries in the file; none when there is no file. Throws (naming the file) when it is unreadable. */
export async function readCrdLedger(file: string): Promise<ReleaseCrds[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const parsed = JSON.parse(text) as { releases?: unknown };
  if (!Array.isArray(parsed.releases) || !parsed.releases.every(isReleaseCrds)) {
    throw new Error(`${file} is not a list of CRDs to delete (remove it to start afresh)`);
  }
  return parsed.releases;
}

/** Writes the entries (0600) through a temporary file, so a kill mid-write leaves the old file or the new one. */
export async function writeCrdLedger(file: string, releases: ReleaseCrds[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ releases }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

export async function removeCrdLedger(file: string): Promise<void> {
  await rm(file, { force: true });
}
