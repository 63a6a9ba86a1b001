/**
 * `kubectl create` of one object cto builds (a CodeRun, a Velero Backup or Restore): written to a
 * private temporary file that kubectl reads, so nothing goes through stdin or argv.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Kubectl } from "./diagnose/kubectl.js";

export type CreateResult = { ok: true; name: string } | { ok: false; message: string };

/** Creates the object; its name as the API server stored it (after generateName), or kubectl's error. */
export async function createObject(k: Kubectl, object: object): Promise<CreateResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "cto-create-"));
  try {
    const file = path.join(dir, "object.json");
    await writeFile(file, JSON.stringify(object), { mode: 0o600 });
    const r = await k.json<{ metadata: { name: string } }>(["create", "-f", file, "-o", "json"]);
    return r.ok ? { ok: true, name: r.value.metadata.name } : { ok: false, message: r.error.message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
