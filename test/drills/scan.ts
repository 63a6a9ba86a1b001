/**
 * Looking for secrets where they must not be: in files (clear text or base64, which is an
 * encoding, not encryption), in command output, and in the process table sampled while a command
 * runs (`ps -eww -o args`: every process's argv, which any local user can read).
 */
import { execFile } from "node:child_process";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The forms a canary may leak in: as written, and base64/base64url (Kubernetes Secret data, JSON
 * embedded in manifests) at each of the three byte alignments it can have inside a longer value;
 * the partial 4-character groups at either end are left out. Canaries should be 24+ characters.
 */
export function leakForms(canary: string): string[] {
  const forms = [canary];
  for (const pad of [0, 1, 2]) {
    const bytes = Buffer.concat([Buffer.alloc(pad, 0x20), Buffer.from(canary)]);
    for (const encoding of ["base64", "base64url"] as const) {
      const encoded = bytes.toString(encoding).replace(/=+$/, "");
      forms.push(encoded.slice(pad === 0 ? 0 : 4, -4));
    }
  }
  return [...new Set(forms)];
}

/** Every regular file under `dir` (symlinks not followed), absolute paths. */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) visit(p);
      else if (st.isFile()) out.push(p);
    }
  };
  visit(dir);
  return out.sort();
}

export interface Leak {
  where: string;
  canary: string;
  form: string;
}

/** Which canaries (in any leak form) occur in `text`. */
export function findLeaks(where: string, text: string, canaries: Record<string, string>): Leak[] {
  const leaks: Leak[] = [];
  for (const [name, value] of Object.entries(canaries)) {
    const forms = leakForms(value);
    const form = forms.find((f) => text.includes(f));
    if (form !== undefined) leaks.push({ where, canary: name, form: form === value ? "clear" : "base64" });
  }
  return leaks;
}

/** Leaks in every file under `dir`, read as latin1 so binary files (etcd, bolt) are scanned too. */
export function scanFiles(
  dir: string,
  canaries: Record<string, string>,
  skip: (file: string) => boolean = () => false,
) {
  const files = walkFiles(dir).filter((f) => !skip(f));
  const leaks = files.flatMap((f) => findLeaks(f, readFileSync(f).toString("latin1"), canaries));
  return { files, leaks };
}

/** Samples `ps -eww -o args` every `intervalMs` until stopped; keeps each distinct command line. */
export class ProcessTableSampler {
  readonly lines = new Set<string>();
  samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  start(intervalMs = 150): void {
    const tick = () => {
      if (this.running) return;
      this.running = true;
      execFile("ps", ["-eww", "-o", "args="], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
        this.running = false;
        if (err) return;
        this.samples++;
        for (const line of stdout.split("\n")) if (line.trim() !== "") this.lines.add(line);
      });
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
