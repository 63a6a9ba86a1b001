/**
 * Installing one pinned tool into `<ctoHome>/bin`, the way trusted installers do it:
 *
 * 1. the publisher's checksum file of the release is fetched, and the digest pinned in
 *    profiles/tool-digests.yaml looked up; they must agree, and one of them must exist;
 * 2. the file is streamed to a private staging directory (`<ctoHome>/tmp/tools-<pid>-…`) while its
 *    SHA-256 is computed; a mismatch or a short read stops here, before anything is unpacked or run;
 * 3. the executables are unpacked into the staging directory (mode 0755, fsynced) and renamed into
 *    `bin/` one by one (rename is atomic), then the directory is fsynced and the receipt written.
 *
 * A process killed at any point leaves only its staging directory, which the next run removes;
 * `bin/` never holds a partial file. Nothing here runs sudo or a shell script.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pinnedDigest, type DigestPins } from "../../profiles/tools.js";
import { processExists } from "../process-exists.js";
import { TOOLS, mirrorVariable, platformKey, toolUrls, type Platform, type ToolId } from "./catalog.js";
import { digestFromChecksumFile, expectedDigest } from "./checksums.js";
import { DownloadError, downloadTo, fetchText } from "./download.js";
import { syncDir } from "../../config/atomic-write.js";
import { recordReceipt, type ToolReceipt } from "./receipts.js";
import { extractTarGz } from "./tar.js";

export interface InstallOptions {
  ctoHome: string;
  env: NodeJS.ProcessEnv;
  pins: DigestPins;
  platform: Platform;
  /**
   * Install elsewhere than `<ctoHome>/bin` under another receipt name: a binary for another
   * machine (k3s for an SSH host's architecture, stacks/tools/host-k3s.ts).
   */
  target?: { dir: string; receipt: string };
}

export interface InstallResult {
  tool: ToolId;
  name: string;
  version: string;
  outcome: "installed" | "failed";
  message: string;
  /** For failures: what the user can do instead. */
  instruction?: string;
  /** True when the failure was no network at all (the caller may stop trying other tools). */
  offline?: boolean;
  receipt?: ToolReceipt;
}

const STAGING_PREFIX = "tools-";

/** Removes staging directories of runs that are gone (killed mid-download). */
export async function sweepStaging(ctoHome: string): Promise<void> {
  const tmp = path.join(ctoHome, "tmp");
  const entries = await readdir(tmp).catch(() => [] as string[]);
  for (const e of entries) {
    const pid = Number(/^tools-(\d+)-/.exec(e)?.[1]);
    if (e.startsWith(STAGING_PREFIX) && pid && (pid === process.pid || !processExists(pid))) {
      await rm(path.join(tmp, e), { recursive: true, force: true });
    }
  }
}

/** How to get the tool without cto, or from a mirror, for failure messages. */
export function manualInstall(
  tool: ToolId,
  version: string,
  ctoHome: string,
  p: Platform,
  bin: string = path.join(ctoHome, "bin"),
): string {
  const spec = TOOLS[tool];
  return (
    `install ${spec.name} ${version} by hand (${spec.manual}) into ${bin}; ` +
    `or serve it from a mirror: CTO_TOOLS_MIRROR=<url> (files under <url>/${tool}/${version}/${platformKey(p)}/) ` +
    `or ${mirrorVariable(tool)}=<release directory url>, then cto doctor --fix`
  );
}

/** Downloads, checks and installs one tool version. Never throws for a download or digest problem. */
export async function installTool(tool: ToolId, version: string, opts: InstallOptions): Promise<InstallResult> {
  const spec = TOOLS[tool];
  const base = { tool, name: spec.name, version };
  const bin = opts.target?.dir ?? path.join(opts.ctoHome, "bin");
  const { asset, url, checksumUrl } = toolUrls(spec, version, opts.platform, opts.env);
  const manual = manualInstall(tool, version, opts.ctoHome, opts.platform, bin);
  const fail = (message: string, extra: Partial<InstallResult> = {}): InstallResult => ({
    ...base,
    outcome: "failed",
    message: `${message}; nothing was installed`,
    instruction: manual,
    ...extra,
  });

  // 1. What the file must hash to.
  const pinned = pinnedDigest(opts.pins, tool, version, platformKey(opts.platform));
  let publisher: { sha256: string; url: string } | undefined;
  let publisherProblem: string | undefined;
  try {
    const found = digestFromChecksumFile(await fetchText(checksumUrl), asset);
    if (found) publisher = { sha256: found, url: checksumUrl };
    else publisherProblem = `${checksumUrl} lists no ${asset}`;
  } catch (err) {
    if (!(err instanceof DownloadError)) throw err;
    if (err.kind === "network") return fail(`no network: ${err.message}`, { offline: true });
    publisherProblem = err.message;
  }
  const expected = expectedDigest({ pinned, publisher, publisherProblem });
  if ("error" in expected) return fail(`refusing ${url}: ${expected.error}`);

  // 2. Download into a private staging directory.
  await sweepStaging(opts.ctoHome);
  const staging = path.join(opts.ctoHome, "tmp", `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    const download = path.join(staging, `download-${asset}`);
    let got: { sha256: string; bytes: number };
    try {
      got = await downloadTo(url, download);
    } catch (err) {
      if (!(err instanceof DownloadError)) throw err;
      return err.kind === "network"
        ? fail(`no network: ${err.message}`, { offline: true })
        : fail(`download failed: ${err.message}`);
    }
    if (got.sha256 !== expected.sha256) {
      return fail(
        `SHA-256 mismatch for ${url}: expected ${expected.sha256} (${expected.checkedAgainst.join(", ")}), ` +
          `got ${got.sha256} (${got.bytes} bytes)`,
      );
    }

    // 3. Unpack into staging, then rename into bin.
    const unpacked = path.join(staging, "files");
    await mkdir(unpacked, { mode: 0o700 });
    let files: string[];
    if (spec.format.type === "binary") {
      await rename(download, path.join(unpacked, spec.main));
      await chmod(path.join(unpacked, spec.main), 0o755);
      files = [spec.main];
    } else {
      try {
        files = await extractTarGz(download, unpacked, spec.format.pick);
      } catch (err) {
        return fail(`cannot unpack ${url}: ${(err as Error).message}`);
      }
    }
    if (!files.includes(spec.main))
      return fail(`${url} holds no ${spec.main} (found: ${files.join(", ") || "nothing"})`);
    await mkdir(bin, { recursive: true, mode: 0o755 });
    // The main executable last: its presence is what "installed" means to the checks.
    const ordered = [...files.filter((f) => f !== spec.main).sort(), spec.main];
    for (const f of ordered) await rename(path.join(unpacked, f), path.join(bin, f));
    await syncDir(bin);
    const receipt: ToolReceipt = {
      version,
      url,
      sha256: got.sha256,
      checkedAgainst: expected.checkedAgainst,
      files: ordered,
      installedAt: new Date().toISOString(),
    };
    await recordReceipt(opts.ctoHome, opts.target?.receipt ?? tool, receipt);
    return {
      ...base,
      outcome: "installed",
      message: `${ordered.join(", ")} into ${bin} from ${url} (sha256 ${got.sha256}, checked against ${expected.checkedAgainst.join(" and ")})`,
      receipt,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
