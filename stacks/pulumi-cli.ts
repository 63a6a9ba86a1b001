/**
 * Finding the Pulumi CLI `cto` drives, and refusing one it is not built for.
 *
 * Candidates, in order: `$CTO_PULUMI_BIN_DIR` (when set, the only candidate: an explicit choice is
 * never second-guessed), `<ctoHome>/bin`, the offline toolchain's bin (`npm run toolchain`), then
 * `PATH`. The first candidate that reports the pinned version wins. A newer 3.x is used only when
 * no pinned one exists, and with a warning; an older one, or one that does not report a version,
 * is refused with instructions.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, readFile, readlink, stat, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { UserError } from "../config/errors.js";
import { ctoHome } from "../config/paths.js";
import { findExecutable, toolchainBinDir } from "../config/toolchain.js";

const run = promisify(execFile);

/** The CLI version `cto` is built and tested against (= `@pulumi/pulumi` in package.json, toolchain/versions.env). */
export const PINNED_PULUMI_VERSION = "3.276.0";

export interface PulumiCli {
  /** Absolute path of the `pulumi` executable. */
  path: string;
  /** Its directory (plugins next to it are found by the engine). */
  binDir: string;
  /**
   * A directory whose `bin/` is `binDir`, as `PulumiCommand.get({ root })` expects (the Automation
   * API runs `<root>/bin/pulumi` and puts `<root>/bin` first on the engine's PATH).
   */
  root: string;
  version: string;
  /** Where it was found. */
  source: "CTO_PULUMI_BIN_DIR" | "cto home" | "toolchain" | "PATH";
  /** Set when it is not the pinned version. */
  warning?: string;
}

export interface FindCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Default `ctoHome(env)`. */
  home?: string;
  /** The toolchain's bin as the run resolved it (`run-context.ts`; null: none built); default looked up from `env`. */
  toolchainBin?: string | null;
}

interface Candidate {
  path: string;
  source: PulumiCli["source"];
}

/** `v3.276.0` / `3.276.0-dev.0` → [3, 276, 0]. */
export function parseCliVersion(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** "pinned" (exact), "newer" (same major, later), or "incompatible". */
export function classifyCliVersion(version: string | undefined): "pinned" | "newer" | "incompatible" {
  const v = version ? parseCliVersion(version) : undefined;
  const p = parseCliVersion(PINNED_PULUMI_VERSION) as [number, number, number];
  if (!v) return "incompatible";
  if (v[0] === p[0] && v[1] === p[1] && v[2] === p[2]) return "pinned";
  if (v[0] !== p[0]) return "incompatible";
  return v[1] > p[1] || (v[1] === p[1] && v[2] > p[2]) ? "newer" : "incompatible";
}

function candidates(env: NodeJS.ProcessEnv, home: string, toolchain: string | undefined): Candidate[] {
  if (env.CTO_PULUMI_BIN_DIR) {
    const exe = path.join(path.resolve(env.CTO_PULUMI_BIN_DIR), "pulumi");
    return [{ path: exe, source: "CTO_PULUMI_BIN_DIR" }];
  }
  const out: Candidate[] = [];
  const add = (p: string | undefined, source: Candidate["source"]): void => {
    if (p && !out.some((c) => c.path === p)) out.push({ path: p, source });
  };
  add(findExecutable("pulumi", path.join(home, "bin"), ""), "cto home");
  if (toolchain) add(findExecutable("pulumi", toolchain, ""), "toolchain");
  add(findExecutable("pulumi", undefined, env.PATH ?? ""), "PATH");
  return out;
}

/**
 * `pulumi version` costs a process start of a 100+ MB binary (0.5 s of CPU here), so the answer
 * is cached in `<home>/run/pulumi-versions.json`, keyed by the executable's path, size and mtime.
 * The prerequisite check (`preflight/checks/tools.ts`) asks through this cache too, so a run starts
 * `pulumi version` at most once, and only for a binary it has not seen.
 */
export async function cachedPulumiVersion(exe: string, home: string): Promise<string | undefined> {
  const cacheFile = path.join(home, "run", "pulumi-versions.json");
  let key: string | undefined;
  let cache: Record<string, string> = {};
  try {
    const st = await stat(exe);
    key = `${exe}:${st.size}:${st.mtimeMs}`;
    cache = JSON.parse(await readFile(cacheFile, "utf8")) as Record<string, string>;
    if (cache[key]) return cache[key];
  } catch {
    // no cache yet, or no such file (then the run below fails too)
  }
  const version = await runVersion(exe);
  if (version && key) {
    await mkdir(path.dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, JSON.stringify({ ...cache, [key]: version }));
  }
  return version;
}

async function runVersion(exe: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(exe, ["version"], {
      timeout: 20_000,
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** How to get the pinned CLI, for error messages. */
export function installInstructions(home: string, toolchain: string | undefined): string {
  const bin = path.join(home, "bin");
  const offline = toolchain
    ? `copy it from the offline toolchain: mkdir -p ${bin} && cp ${toolchain}/pulumi* ${bin}/  (or cto doctor --fix)`
    : `offline: in a clone of cto, npm run toolchain builds it, then set CTO_PULUMI_BIN_DIR to the printed bin directory`;
  return (
    `install Pulumi CLI ${PINNED_PULUMI_VERSION} into ${bin}: cto doctor --fix downloads it (SHA-256 checked; ` +
    `CTO_TOOLS_MIRROR for a mirror); ${offline}`
  );
}

/** The Pulumi CLI to use; throws a `UserError` with instructions when none fits. */
export async function findPulumiCli(options: FindCliOptions = {}): Promise<PulumiCli> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const toolchain = options.toolchainBin === undefined ? toolchainBinDir(env) : (options.toolchainBin ?? undefined);
  const found = candidates(env, home, toolchain);
  if (found.length === 0) {
    throw new UserError(
      `the Pulumi CLI was not found (looked in ${path.join(home, "bin")}, the toolchain cache, PATH)`,
      {
        hint: installInstructions(home, toolchain),
        exitCode: 1,
      },
    );
  }
  const seen: { c: Candidate; version?: string }[] = [];
  for (const c of found) {
    const version = await cachedPulumiVersion(c.path, home);
    seen.push({ c, version });
    if (classifyCliVersion(version) === "pinned") return describe(c, version as string, home);
  }
  const newer = seen.find((s) => classifyCliVersion(s.version) === "newer");
  if (newer) {
    const cli = await describe(newer.c, newer.version as string, home);
    cli.warning =
      `using Pulumi CLI ${newer.version} at ${newer.c.path}; cto is tested with ${PINNED_PULUMI_VERSION} ` +
      `(${installInstructions(home, toolchain)})`;
    return cli;
  }
  const list = seen.map((s) => `${s.c.path} (${s.version ?? "no version reported"})`).join(", ");
  throw new UserError(`no compatible Pulumi CLI: found ${list}; cto needs ${PINNED_PULUMI_VERSION}`, {
    hint: installInstructions(home, toolchain),
    exitCode: 1,
  });
}

async function describe(c: Candidate, version: string, home: string): Promise<PulumiCli> {
  const binDir = path.dirname(c.path);
  return {
    path: c.path,
    binDir,
    root: await rootFor(binDir, home),
    version: version.replace(/^v/, ""),
    source: c.source,
  };
}

/** `…/x/bin` → `…/x`; any other directory gets a stable `<home>/run/cli-<hash>/bin` symlink to it. */
async function rootFor(binDir: string, home: string): Promise<string> {
  if (path.basename(binDir) === "bin") return path.dirname(binDir);
  const root = path.join(home, "run", `cli-${createHash("sha256").update(binDir).digest("hex").slice(0, 12)}`);
  const link = path.join(root, "bin");
  await mkdir(root, { recursive: true });
  try {
    if ((await lstat(link)).isSymbolicLink() && (await readlink(link)) === binDir) return root;
    await unlink(link);
  } catch {
    // no link yet
  }
  await symlink(binDir, link);
  return root;
}
