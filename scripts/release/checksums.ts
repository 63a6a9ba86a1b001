/** SHA-256 checksums of release files, in the format `sha256sum -c` reads. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";

/** Hex SHA-256 of a file, streamed (archives are tens of megabytes). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** `<hex>  <file name>` lines, sorted by name: the `SHA256SUMS` file. */
export async function checksumLines(files: string[]): Promise<{ name: string; sha256: string }[]> {
  const entries = await Promise.all(files.map(async (f) => ({ name: path.basename(f), sha256: await sha256File(f) })));
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/** The text of `SHA256SUMS`. */
export function formatChecksums(entries: { name: string; sha256: string }[]): string {
  return entries.map((e) => `${e.sha256}  ${e.name}\n`).join("");
}

/** Parses `SHA256SUMS` text back into name → hex. */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match?.[1] && match[2]) out.set(match[2], match[1]);
  }
  return out;
}
