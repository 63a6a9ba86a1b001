/**
 * Receipts: where each tool in `~/.cto/bin` came from (URL, digest and what vouched for it,
 * version, time), in `~/.cto/tools.json`. `cto version` and `cto doctor` print them. Written
 * atomically (temp file, fsync, rename), and only after every file of the tool is in place, so a
 * receipt never describes a half-installed tool.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../config/atomic-write.js";

export interface ToolReceipt {
  version: string;
  url: string;
  sha256: string;
  checkedAgainst: string[];
  /** Installed file names in `<ctoHome>/bin`. */
  files: string[];
  installedAt: string;
}

export type Receipts = Record<string, ToolReceipt>;

export const receiptsFile = (ctoHome: string): string => path.join(ctoHome, "tools.json");

export async function readReceipts(ctoHome: string): Promise<Receipts> {
  try {
    const parsed = JSON.parse(await readFile(receiptsFile(ctoHome), "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Receipts) : {};
  } catch {
    return {};
  }
}

export async function recordReceipt(ctoHome: string, tool: string, receipt: ToolReceipt): Promise<void> {
  const all = await readReceipts(ctoHome);
  all[tool] = receipt;
  await writeFileAtomic(receiptsFile(ctoHome), `${JSON.stringify(all, null, 2)}\n`);
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The receipt of files copied from the offline toolchain (built from Go modules, nothing downloaded). */
export async function recordToolchainCopy(
  ctoHome: string,
  tool: string,
  version: string,
  toolchainBin: string,
  files: string[],
): Promise<void> {
  const main = files.includes(tool) ? tool : (files[0] as string);
  await recordReceipt(ctoHome, tool, {
    version,
    url: `file://${path.join(toolchainBin, main)}`,
    sha256: await sha256File(path.join(ctoHome, "bin", main)),
    checkedAgainst: ["built from Go modules by scripts/toolchain.sh (copied, not downloaded)"],
    files,
    installedAt: new Date().toISOString(),
  });
}
