/**
 * HTTP(S) downloads for the tool installer: a file streamed to disk while its SHA-256 is computed,
 * and a small text (a checksum file). Failures become a `DownloadError` that says which URL and
 * whether the network or the server was the problem. Redirects are followed (GitHub release files
 * redirect to their storage host); the digest, not the host, is what is trusted.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly url: string,
    /** "network": no answer at all (offline, DNS, refused); "http": the server answered with an error. */
    readonly kind: "network" | "http",
    readonly status?: number,
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

/** No byte for this long aborts a download (the whole may take minutes on a slow line). */
const IDLE_MS = 30_000;

function networkError(url: string, err: unknown): DownloadError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new DownloadError(`cannot reach ${url} (${why})`, url, "network");
}

async function get(url: string, controller: AbortController): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: "follow", signal: controller.signal, headers: { "user-agent": "cto" } });
  } catch (err) {
    throw networkError(url, err);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new DownloadError(`${url} answered HTTP ${res.status}`, url, "http", res.status);
  }
  return res;
}

/** GETs a small text file (at most 1 MiB). */
export async function fetchText(url: string): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), IDLE_MS);
  try {
    const res = await get(url, controller);
    const text = await res.text().catch((err: unknown) => {
      throw networkError(url, err);
    });
    return text.slice(0, 1024 * 1024);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Streams `url` into `file` (created, mode 0600), fsyncs it and returns its SHA-256 (hex) and size.
 * The caller owns `file`: on failure it may hold part of the body and must be deleted.
 */
export async function downloadTo(url: string, file: string): Promise<{ sha256: string; bytes: number }> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), IDLE_MS);
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    const res = await get(url, controller);
    const out = createWriteStream(file, { mode: 0o600 });
    const done = new Promise<void>((resolve, reject) => {
      out.on("finish", resolve);
      out.on("error", reject);
    });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(), IDLE_MS);
        hash.update(chunk);
        bytes += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
    } catch (err) {
      out.destroy();
      throw networkError(url, err);
    }
    out.end();
    await done;
    const fh = await open(file, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { sha256: hash.digest("hex"), bytes };
  } finally {
    clearTimeout(timer);
  }
}
