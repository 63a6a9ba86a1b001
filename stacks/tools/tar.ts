/**
 * Extracting chosen regular files from a `.tar.gz`, streamed (the Pulumi archive unpacks to a few
 * hundred MB, so nothing is held in memory whole). Reads ustar, GNU long names and pax `path`
 * records; links, devices and directories are skipped. Only called after the archive's SHA-256 has
 * been checked, and only files that `pick` maps to a plain name are written, so an archive cannot
 * write outside `outDir`.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";

/** Pulls exact byte counts out of a chunk stream. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else this.buf = this.buf.length === 0 ? next.value : Buffer.concat([this.buf, next.value]);
    }
    return this.buf.length >= n;
  }

  /** Exactly n bytes, or undefined at the end of the stream. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Passes n bytes to `sink` in pieces (or drops them when there is no sink). */
  async copy(n: number, sink?: (b: Buffer) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill(1))) throw new Error("the archive ends in the middle of a file");
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      left -= piece.length;
      if (sink) await sink(piece);
    }
  }
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
}

function size(block: Buffer): number {
  const raw = block.subarray(124, 136);
  // GNU base-256 for files over 8 GiB: high bit of the first byte set.
  if ((raw[0] as number) & 0x80) return raw.subarray(1).reduce((acc, b) => acc * 256 + b, 0);
  return parseInt(field(block, 124, 12).trim() || "0", 8);
}

function paxPath(data: Buffer): string | undefined {
  for (const record of data.toString("utf8").split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(record);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Writes each regular file whose archive path `pick` maps to a name into `outDir/<name>` (mode
 * 0755, fsynced). Returns the installed names. Throws on a truncated or malformed archive.
 */
export async function extractTarGz(
  archive: string,
  outDir: string,
  pick: (entry: string) => string | undefined,
): Promise<string[]> {
  const stream = createReadStream(archive).pipe(createGunzip());
  const reader = new Reader(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  const written: string[] = [];
  let longName: string | undefined;
  try {
    for (;;) {
      const header = await reader.read(512);
      if (!header) throw new Error("the archive ends without its end-of-archive blocks");
      if (header.every((b) => b === 0)) break;
      const type = String.fromCharCode(header[156] as number);
      const bytes = size(header);
      const padded = Math.ceil(bytes / 512) * 512;
      const magic = field(header, 257, 6);
      const prefix = magic.startsWith("ustar") ? field(header, 345, 155) : "";
      let name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
      longName = undefined;
      if (type === "L" || type === "x") {
        const data = (await reader.read(padded)) ?? Buffer.alloc(0);
        const content = data.subarray(0, bytes);
        longName = type === "L" ? field(content, 0, content.length) : paxPath(content);
        continue;
      }
      name = name.replace(/^\.\//, "");
      const target = type === "0" || type === "\0" ? pick(name) : undefined;
      if (!target || target !== path.basename(target) || target.startsWith(".")) {
        await reader.copy(padded);
        continue;
      }
      const file = path.join(outDir, target);
      const fh = await open(file, "w", 0o755);
      try {
        await reader.copy(bytes, async (b) => {
          await fh.write(b);
        });
        await fh.chmod(0o755);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await reader.copy(padded - bytes);
      written.push(target);
    }
  } finally {
    stream.destroy();
  }
  return written;
}
