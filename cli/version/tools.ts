/**
 * Where each tool cto runs comes from, for `cto version` and `cto doctor`: the file cto would run
 * (`~/.cto/bin` first, then the offline toolchain for the Pulumi pieces, then PATH) and, for files
 * cto installed, the receipt (URL, SHA-256, what vouched for it, when).
 */
import path from "node:path";
import { findExecutable, toolchainBinDir } from "../../config/toolchain.js";
import { TOOLS, readReceipts, type Receipts, type ToolId } from "../../stacks/tools/index.js";

export interface ToolSource {
  tool: ToolId;
  name: string;
  /** The version the newest platform release pins. */
  pinned: string;
  /** The file cto would run, if any. */
  path?: string;
  from: "cto" | "toolchain" | "PATH" | "missing";
  receipt?: Receipts[string];
}

export async function toolSources(
  home: string,
  pinned: Record<ToolId, string>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ToolSource[]> {
  const receipts = await readReceipts(home);
  const bin = path.join(home, "bin");
  const toolchain = toolchainBinDir(env);
  return (Object.keys(TOOLS) as ToolId[]).map((tool) => {
    const spec = TOOLS[tool];
    const base = { tool, name: spec.name, pinned: pinned[tool] };
    const own = findExecutable(spec.main, bin, "");
    if (own) return { ...base, path: own, from: "cto", ...(receipts[tool] ? { receipt: receipts[tool] } : {}) };
    const built = tool.startsWith("pulumi") && toolchain ? findExecutable(spec.main, toolchain, "") : undefined;
    if (built) return { ...base, path: built, from: "toolchain" };
    const onPath = findExecutable(spec.main, undefined, env.PATH ?? "");
    return onPath ? { ...base, path: onPath, from: "PATH" } : { ...base, from: "missing" };
  });
}

/** One line per receipt: what cto installed into ~/.cto/bin and from where. */
export async function toolSourceLines(home: string): Promise<string[]> {
  const receipts = await readReceipts(home);
  return Object.entries(receipts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([tool, r]) =>
        `${tool} ${r.version}: ${r.files.join(", ")} from ${r.url} (sha256 ${r.sha256}; ${r.checkedAgainst.join(", ")}; ${r.installedAt})`,
    );
}

/** A line for `cto version`. */
export function describeSource(s: ToolSource): string {
  switch (s.from) {
    case "cto":
      return s.receipt
        ? `${s.path} — ${s.receipt.version} from ${s.receipt.url} (sha256 ${s.receipt.sha256}; ${s.receipt.checkedAgainst.join(", ")})`
        : `${s.path} — placed there by hand (no receipt)`;
    case "toolchain":
      return `${s.path} — offline toolchain (built from Go modules by scripts/toolchain.sh)`;
    case "PATH":
      return `${s.path} — from PATH, not installed by cto`;
    default:
      return "not installed (cto doctor --fix installs it)";
  }
}
