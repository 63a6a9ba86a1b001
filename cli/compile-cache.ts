/**
 * Node's on-disk compile cache for everything cto loads after `bin.ts` (cto's own modules,
 * commander, and for the commands that need it the Pulumi SDK): V8 keeps the code it compiled, so
 * the next start skips compiling those files again. It is an optimisation only: when the cache
 * cannot be used, cto runs exactly as without it and says nothing.
 */
import { mkdirSync } from "node:fs";
// A namespace import: on a Node without the compile cache API (older than cto supports), a named
// import would fail at load time, before bin.ts can say which Node version is needed.
import * as nodeModule from "node:module";
import path from "node:path";

/** Where cto keeps the cache: inside cto's per-user directory (mode 0700), not a shared temp dir. */
export function compileCacheDir(ctoHome: string): string {
  return path.join(ctoHome, "cache", "node-compile-cache");
}

/** The outcome, for tests and diagnostics; callers may ignore it. */
export interface CompileCacheOutcome {
  enabled: boolean;
  /** The cache directory in use (set when enabled). */
  directory?: string;
  /** Why the cache is off (set when not enabled). */
  reason?: string;
}

/**
 * Turns the compile cache on for modules loaded from now on. A directory given in
 * `NODE_COMPILE_CACHE` wins (Node has then enabled the cache already) and
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as for any Node program. Never throws: an unwritable
 * or unusable directory leaves the cache off.
 *
 * A cache in the world-writable temp dir (Node's default) could be planted by another user, so
 * the cache lives under `ctoHome`, which is created with mode 0700 if it does not exist yet.
 */
export function enableCtoCompileCache(ctoHome: string): CompileCacheOutcome {
  try {
    const { constants, enableCompileCache } = nodeModule;
    if (typeof enableCompileCache !== "function") return { enabled: false, reason: "this Node has no compile cache" };
    mkdirSync(ctoHome, { recursive: true, mode: 0o700 });
    const result = enableCompileCache(compileCacheDir(ctoHome));
    const enabled =
      result.status === constants.compileCacheStatus.ENABLED ||
      result.status === constants.compileCacheStatus.ALREADY_ENABLED;
    if (enabled) return { enabled, directory: result.directory };
    const disabled = result.status === constants.compileCacheStatus.DISABLED;
    return { enabled, reason: result.message ?? (disabled ? "NODE_DISABLE_COMPILE_CACHE is set" : "unknown") };
  } catch (err) {
    return { enabled: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
