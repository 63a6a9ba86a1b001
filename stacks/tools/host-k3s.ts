/**
 * The k3s binaries of SSH hosts (multi-node k3s): the same pinned release file as a single node on
 * this machine, for each host architecture (`cluster.nodes[].arch`), downloaded by `cto doctor
 * --fix` / `cto up` with the same digest checks and mirror settings (CTO_TOOLS_MIRROR_K3S,
 * CTO_TOOLS_MIRROR), but kept out of `~/.cto/bin` (the workstation may not even be Linux):
 *
 *     <cto home>/tools/k3s/<version>/linux-<arch>/k3s     receipt "k3s-linux-<arch>" in tools.json
 *
 * Before a deployment the file is hashed again and must still match its receipt; the host checks
 * the copy it received against the same digest (components/cluster/remote-k3s.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../../config/errors.js";
import type { SshNodePlan } from "../../profiles/plan.js";
import type { DigestPins } from "../../profiles/tools.js";
import { installTool, type InstallResult } from "./install.js";
import { receiptsFile, type Receipts } from "./receipts.js";

export type HostArch = SshNodePlan["arch"];

/** `v1.32.1+k3s1` (the plan's) or `1.32.1+k3s1` (the pins') → `1.32.1+k3s1`. */
const bare = (version: string): string => version.replace(/^v/, "");

export const hostK3sDir = (ctoHome: string, version: string, arch: HostArch): string =>
  path.join(ctoHome, "tools", "k3s", bare(version), `linux-${arch}`);

export const hostK3sPath = (ctoHome: string, version: string, arch: HostArch): string =>
  path.join(hostK3sDir(ctoHome, version, arch), "k3s");

/** The receipt's name in `<cto home>/tools.json`. */
export const hostK3sReceipt = (arch: HostArch): string => `k3s-linux-${arch}`;

/** The doctor check for one host architecture's binary (`tool.k3s-host-amd64`). */
export const hostK3sCheckId = (arch: HostArch): string => `tool.k3s-host-${arch}`;

/** The architecture a `tool.k3s-host-<arch>` check is about, else undefined. */
export function hostArchOfCheck(id: string): HostArch | undefined {
  const m = /^tool\.k3s-host-(amd64|arm64)$/.exec(id);
  return m?.[1] as HostArch | undefined;
}

/** The architectures the plan's SSH nodes use, sorted. */
export const hostArches = (nodes: readonly { arch: HostArch }[]): HostArch[] =>
  [...new Set(nodes.map((n) => n.arch))].sort();

/** Downloads and checks k3s `version` for linux-`arch` into hostK3sDir. Never throws for a download problem. */
export function installHostK3s(
  arch: HostArch,
  version: string,
  opts: { ctoHome: string; env: NodeJS.ProcessEnv; pins: DigestPins },
): Promise<InstallResult> {
  return installTool("k3s", bare(version), {
    ...opts,
    platform: { os: "linux", arch },
    target: { dir: hostK3sDir(opts.ctoHome, version, arch), receipt: hostK3sReceipt(arch) },
  });
}

function receiptsNow(ctoHome: string): Receipts {
  try {
    return JSON.parse(readFileSync(receiptsFile(ctoHome), "utf8")) as Receipts;
  } catch {
    return {};
  }
}

/**
 * What the host's binary is now: missing, differing from its receipt, or checked. Synchronous (one
 * read of a ~70 MB file) because the program's host-side inputs are read synchronously.
 */
export function hostK3sState(
  ctoHome: string,
  version: string,
  arch: HostArch,
): { path: string; sha256?: string; problem?: string } {
  const file = hostK3sPath(ctoHome, version, arch);
  const receipt = receiptsNow(ctoHome)[hostK3sReceipt(arch)];
  let sha256: string;
  try {
    sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return { path: file, problem: `${file} is missing` };
  }
  if (!receipt || receipt.version !== bare(version) || !receipt.files.includes("k3s"))
    return { path: file, problem: `${file} has no install receipt for k3s ${bare(version)} in ${ctoHome}/tools.json` };
  if (receipt.sha256 !== sha256)
    return {
      path: file,
      problem: `${file} changed since it was checked: SHA-256 ${sha256}, the receipt says ${receipt.sha256}`,
    };
  return { path: file, sha256 };
}

/**
 * The checked binary of each architecture the nodes use, for the deployment.
 * @throws UserError (exit 2) naming the file and `cto doctor --fix` when one is missing or changed.
 */
export function checkedHostK3s(
  ctoHome: string,
  version: string,
  nodes: readonly { arch: HostArch }[],
): Partial<Record<HostArch, { path: string; sha256: string }>> {
  const out: Partial<Record<HostArch, { path: string; sha256: string }>> = {};
  for (const arch of hostArches(nodes)) {
    const state = hostK3sState(ctoHome, version, arch);
    if (state.problem || !state.sha256) {
      throw new UserError(`k3s ${version} for linux-${arch} (SSH hosts): ${state.problem}`, {
        hint: "run cto doctor --fix (downloads it from the k3s release, SHA-256 checked), then try again",
      });
    }
    out[arch] = { path: state.path, sha256: state.sha256 };
  }
  return out;
}
