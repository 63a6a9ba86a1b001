/**
 * Writing a file so that a reader (or a crash) sees the old content or the new, never a part:
 * a temporary file in the same directory, fsync, rename over the target, fsync the directory.
 * Used for cto's own records (tool receipts) and for edits of the user's files (cto.yaml).
 */
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

export interface AtomicWriteOptions {
  /** Mode of the new file (default 0644, narrowed by the umask unless `exactMode`). */
  mode?: number;
  /** Give the file exactly `mode`, whatever the umask (an edit keeps the file's own mode). */
  exactMode?: boolean;
}

/** Writes `text` to `file` atomically: temp file in the same directory, fsync, rename, fsync dir. */
export async function writeFileAtomic(
  file: string,
  text: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.cto-${process.pid}.tmp`);
  try {
    const fh = await open(tmp, "w", mode);
    try {
      await fh.writeFile(text);
      if (options.exactMode) await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  await syncDir(path.dirname(file));
}

/** fsync a directory so a rename in it survives a crash (a no-op where directories cannot be opened). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // not supported here (e.g. some platforms refuse to open directories)
  }
}
