/**
 * The tool installer: pinned, checksummed downloads of the tools a plan needs into `~/.cto/bin`.
 *
 * ```ts
 * const pins = await loadToolPins(plan.release, env);            // versions + pinned digests
 * const results = await installTools(["pulumi", "kubectl"], pins, { ctoHome, env });
 * ```
 */
import { loadCatalog } from "../../profiles/load.js";
import {
  installVersions,
  loadToolDigests,
  toolDigestsFile,
  type DigestPins,
  type InstallVersions,
} from "../../profiles/tools.js";
import { TOOLS, currentPlatform, type Platform, type ToolId } from "./catalog.js";
import { installTool, manualInstall, type InstallResult } from "./install.js";

export { TOOLS, currentPlatform, mirrorVariable, toolUrls, type Platform, type ToolId } from "./catalog.js";
export { installTool, manualInstall, sweepStaging, type InstallResult } from "./install.js";
export { hostArchOfCheck, installHostK3s } from "./host-k3s.js";
export { readReceipts, receiptsFile, recordToolchainCopy, type Receipts, type ToolReceipt } from "./receipts.js";

/** Which tool a failed or warned doctor check asks for. */
export const TOOL_FOR_CHECK: Readonly<Record<string, ToolId>> = {
  "tool.pulumi": "pulumi",
  "tool.pulumi-kubernetes": "pulumi-kubernetes",
  "tool.kubectl": "kubectl",
  "tool.kind": "kind",
  "tool.minikube": "minikube",
  "tool.k3s": "k3s",
  // The k3s binary of SSH hosts, for their architecture (host-k3s.ts), whatever this machine is.
  "tool.k3s-host-amd64": "k3s",
  "tool.k3s-host-arm64": "k3s",
};

export interface ToolPins {
  versions: InstallVersions;
  digests: DigestPins;
  /** The digests file read (for messages). */
  digestsFile: string;
}

/**
 * Tool versions of the plan's platform release and the pinned digests; k3s at `k3sTag`, the plan's
 * cluster version (v1.32.1+k3s1), when the plan has one.
 */
export async function loadToolPins(
  release: string,
  env: NodeJS.ProcessEnv = process.env,
  k3sTag?: string,
): Promise<ToolPins> {
  const catalog = await loadCatalog();
  const digestsFile = toolDigestsFile(catalog.dir, env);
  return {
    versions: installVersions(catalog, release, k3sTag),
    digests: await loadToolDigests(digestsFile),
    digestsFile,
  };
}

/** The k3s version a plan runs (its cluster's), for loadToolPins. */
export const k3sTagOf = (plan: { cluster: { provider: string; version?: string } }): string | undefined =>
  plan.cluster.provider === "k3s" ? plan.cluster.version : undefined;

/**
 * Installs each tool in turn. After a "no network" failure the rest are not tried (each would
 * wait for the same network) and get the same answer.
 */
export async function installTools(
  tools: ToolId[],
  pins: ToolPins,
  opts: {
    ctoHome: string;
    env: NodeJS.ProcessEnv;
    platform?: Platform;
    onStart?: (tool: ToolId, version: string) => void;
  },
): Promise<InstallResult[]> {
  const platform = opts.platform ?? currentPlatform();
  const results: InstallResult[] = [];
  let offline: InstallResult | undefined;
  for (const tool of tools) {
    const version = pins.versions[tool];
    const os = TOOLS[tool].os;
    if (platform && os && !os.includes(platform.os)) {
      results.push({
        tool,
        name: TOOLS[tool].name,
        version,
        outcome: "failed",
        message: `${TOOLS[tool].name} is released for ${os.join(", ")} only, not ${platform.os}; nothing was installed`,
        instruction: `run it on a ${os.join(" or ")} host (${TOOLS[tool].manual})`,
      });
      continue;
    }
    if (!platform) {
      results.push({
        tool,
        name: TOOLS[tool].name,
        version,
        outcome: "failed",
        message: `cto has no download of ${TOOLS[tool].name} for ${process.platform}/${process.arch}`,
        instruction: `install ${TOOLS[tool].name} ${version} by hand: ${TOOLS[tool].manual}`,
      });
      continue;
    }
    if (offline) {
      results.push({
        ...offline,
        tool,
        name: TOOLS[tool].name,
        version,
        instruction: manualInstall(tool, version, opts.ctoHome, platform),
      });
      continue;
    }
    opts.onStart?.(tool, version);
    const r = await installTool(tool, version, { ctoHome: opts.ctoHome, env: opts.env, pins: pins.digests, platform });
    if (r.offline) offline = r;
    results.push(r);
  }
  return results;
}
