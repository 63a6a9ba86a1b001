/**
 * Where the offline toolchain's binaries are (Pulumi CLI and plugins, kube-apiserver & co, etcd,
 * kwok, kwokctl): built by `npm run toolchain` (scripts/toolchain.sh) into
 * `~/.cache/cto/toolchain/<hash>/bin`, whose path the script writes to
 * `~/.cache/cto/toolchain/current`.
 *
 * Lives in config/ so that both stacks/ (which resolves it) and components/ (which receive it as
 * an input) can use it without breaking the import direction.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { UserError } from "./errors.js";
import { ctoHome, userHome } from "./paths.js";

/** The binaries a simulated (kwok) cluster needs. */
export const SIMULATED_CLUSTER_BINARIES = [
  "kwokctl",
  "kwok",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "etcd",
] as const;

/**
 * The toolchain's bin directory, or undefined when none is built.
 *
 * Order: `$CTO_TOOLCHAIN_BIN`; the path recorded in `$CTO_TOOLCHAIN_CACHE/current`, then in
 * `~/.cache/cto/toolchain/current` (the script always writes the latter; `current` may also be a
 * directory or symlink holding `bin/`).
 */
export function toolchainBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CTO_TOOLCHAIN_BIN) return path.resolve(env.CTO_TOOLCHAIN_BIN);
  const home = userHome(env);
  const candidates = [
    ...(env.CTO_TOOLCHAIN_CACHE ? [path.join(env.CTO_TOOLCHAIN_CACHE, "current")] : []),
    path.join(home, ".cache", "cto", "toolchain", "current"),
  ];
  for (const current of candidates) {
    const dir = readCurrent(current);
    if (dir && existsSync(dir)) return dir;
  }
  return undefined;
}

function readCurrent(current: string): string | undefined {
  try {
    if (statSync(current).isDirectory()) return path.join(current, "bin");
    const recorded = readFileSync(current, "utf8").trim();
    return recorded === "" ? undefined : recorded;
  } catch {
    return undefined;
  }
}

/**
 * Absolute path of each named binary: from `binDir` (default: the toolchain's) first, then PATH.
 * Throws a `UserError` listing every missing binary and how to get them.
 */
export function requireBinaries(
  names: readonly string[],
  opts: { binDir?: string; env?: NodeJS.ProcessEnv; purpose?: string } = {},
): Record<string, string> {
  const env = opts.env ?? process.env;
  const binDir = opts.binDir ?? toolchainBinDir(env);
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const hit = findExecutable(name, binDir, env.PATH ?? "");
    if (hit) found[name] = hit;
    else missing.push(name);
  }
  if (missing.length > 0) {
    const where = binDir ? `${binDir} or PATH` : "PATH (no toolchain is built)";
    throw new UserError(`${opts.purpose ?? "this command"} needs ${missing.join(", ")}, not found in ${where}`, {
      hint: "run `npm run toolchain` (builds them offline into ~/.cache/cto/toolchain, ~15 min the first time), or set CTO_TOOLCHAIN_BIN to a directory holding them",
    });
  }
  return found;
}

/** First executable file called `name` in `binDir` or on `pathVar`. */
export function findExecutable(name: string, binDir: string | undefined, pathVar: string): string | undefined {
  const dirs = [...(binDir ? [binDir] : []), ...pathVar.split(path.delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      const st = statSync(file);
      if (st.isFile() && (st.mode & 0o111) !== 0) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The executable cto runs for a tool it can install (kubectl, kind, minikube): `<ctoHome>/bin/<name>`
 * when `cto doctor --fix` put it there, else the bare name, found on PATH.
 */
export function installedTool(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return findExecutable(name, path.join(ctoHome(env), "bin"), "") ?? name;
}
