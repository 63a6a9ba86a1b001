/**
 * Where cto's own files are (the package root, holding `profiles/`, `templates/`, `examples/`)
 * and where it keeps per-user state (`ctoHome()`).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/**
 * The directory holding cto's `package.json`. Works from `dist/`, `dist-<name>/` and the source
 * tree because it walks up from this module; a bundled binary whose modules are not next to the
 * package files sets `CTO_PACKAGE_ROOT`.
 */
export function packageRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CTO_PACKAGE_ROOT;
  if (fromEnv) return path.resolve(fromEnv);
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && isCtoManifest(manifest)) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cannot find cto's package.json above ${path.dirname(fileURLToPath(import.meta.url))}; set CTO_PACKAGE_ROOT`,
      );
    }
    dir = parent;
  }
}

// dist/ may hold a package.json of its own (e.g. {"type":"module"}); only the one naming cto counts.
function isCtoManifest(file: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown };
    return manifest.name === "cto";
  } catch {
    return false;
  }
}

/** The user's home, `~` in paths the user writes: `$HOME`, else the OS's answer. */
export function userHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || homedir();
}

/**
 * cto's per-user directory: `$CTO_HOME`, or `~/.cto`. Holds `state/` (the Pulumi file backend),
 * the `passphrase` file, `logs/`, `bin/`, `clusters/<name>/kubeconfig`, `history/`,
 * `cache/node-compile-cache/` (Node's compile cache, see cli/compile-cache.ts) and `cache/help/` (help
 * rendered at terminal widths the build did not record, see cli/help-cache.ts).
 */
export function ctoHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CTO_HOME;
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(userHome(env), ".cto");
}
