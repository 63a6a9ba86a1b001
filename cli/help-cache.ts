/**
 * `cto --help` and `cto COMMAND --help` without loading commander and the command modules.
 *
 * Commander's help for a given argument list depends only on the program's modules and the help
 * width. The build (`npm run build`, scripts/help-texts.ts) runs the real program for every help
 * request, at the width commander uses when stdout is not a terminal (80), and writes what it
 * printed to `help-texts.json` next to this module, together with the size and CRC-32 of every
 * module the program loaded to print it (cto's own, and commander's). `cachedHelp` serves a text
 * only when the request, the width and every one of those modules are exactly as recorded; in any
 * other case (no file, another build, a changed module, another width, `CTO_NO_HELP_CACHE=1`) it
 * returns nothing and the program renders the help itself.
 *
 * Imported by bin.ts for help requests only; node built-ins only, no commander.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
// A namespace import: `crc32` exists from Node 22.2 on; a named import would fail at load time.
import * as zlib from "node:zlib";

/** Bumped whenever the file's layout or meaning changes; another value is never served. */
export const HELP_TEXTS_FORMAT = 1;

/** Commander's help width when stdout is not a terminal (and the width the build renders at). */
export const DEFAULT_HELP_WIDTH = 80;

/** One module the help texts were rendered from. */
export interface HelpInput {
  /** Set for a package's file (`commander`); absent for cto's own (relative to the build's root). */
  package?: string;
  /** Path relative to the build's root (`cli/main.js`) or to the package's directory (`lib/help.js`), `/`-separated. */
  path: string;
  size: number;
  crc32: number;
}

/** The contents of `help-texts.json`. */
export interface HelpTexts {
  format: number;
  /** The help width every text was rendered at. */
  width: number;
  inputs: HelpInput[];
  /** `JSON.stringify(args)` of a help request (the arguments after `cto`) → index into `texts`. */
  requests: Record<string, number>;
  /** What cto printed to stdout for those requests (exit code 0, nothing on stderr). */
  texts: string[];
}

/** The build's root: the directory holding `cli/` (`dist/`, `dist-<name>/`). */
export function buildRoot(): string {
  return fileURLToPath(new URL("../", import.meta.url));
}

/** Where the texts are: `$CTO_HELP_TEXTS` (tests), else `help-texts.json` next to this module. */
export function helpTextsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.CTO_HELP_TEXTS || fileURLToPath(new URL("./help-texts.json", import.meta.url));
}

/** Size and CRC-32 of a module's contents (a change detector, not a security check). */
export function fingerprint(contents: Buffer): { size: number; crc32: number } {
  return { size: contents.length, crc32: zlib.crc32(contents) };
}

/**
 * The directory of package `name` as cto's modules resolve it (`…/node_modules/commander/`), or
 * undefined when it cannot be found. `from`: resolve from there instead (a file or directory URL).
 */
export function packageDirectory(name: string, from: string = import.meta.url): string | undefined {
  try {
    const entry = createRequire(from).resolve(name);
    const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
    const at = entry.lastIndexOf(marker);
    return at < 0 ? undefined : entry.slice(0, at + marker.length);
  } catch {
    return undefined;
  }
}

/**
 * The file an input names, for the build at `root`; undefined when its package cannot be found.
 * `packagesFrom`: where packages are resolved from (see `packageDirectory`).
 */
export function inputFile(
  input: Pick<HelpInput, "package" | "path">,
  root: string = buildRoot(),
  packagesFrom?: string,
): string | undefined {
  const base = input.package === undefined ? root : packageDirectory(input.package, packagesFrom);
  return base === undefined ? undefined : path.join(base, ...input.path.split("/"));
}

/** True when every input is there with the recorded size and CRC-32. */
export function inputsUnchanged(inputs: HelpInput[], root: string = buildRoot()): boolean {
  if (typeof zlib.crc32 !== "function" || inputs.length === 0) return false;
  const packages = new Map<string, string | undefined>();
  for (const input of inputs) {
    let file: string | undefined;
    if (input.package === undefined) {
      file = path.join(root, ...input.path.split("/"));
    } else {
      if (!packages.has(input.package)) packages.set(input.package, packageDirectory(input.package));
      const dir = packages.get(input.package);
      file = dir === undefined ? undefined : path.join(dir, ...input.path.split("/"));
    }
    if (file === undefined) return false;
    let contents: Buffer;
    try {
      contents = readFileSync(file);
    } catch {
      return false;
    }
    if (contents.length !== input.size || zlib.crc32(contents) !== input.crc32) return false;
  }
  return true;
}

/** `CTO_NO_HELP_CACHE` set (to anything but empty or `0`) turns the cached texts off. */
export function helpCacheDisabled(env: NodeJS.ProcessEnv): boolean {
  const value = env.CTO_NO_HELP_CACHE;
  return value !== undefined && value !== "" && value !== "0";
}

/** The help width commander would use for stdout (its `getOutHelpWidth`, defaulting to 80). */
export function stdoutHelpWidth(stdout: { isTTY?: boolean; columns?: number }): number {
  return (stdout.isTTY ? stdout.columns : undefined) ?? DEFAULT_HELP_WIDTH;
}

/**
 * The text cto prints for `args` (the arguments after `cto`) if the build recorded it for this help
 * width and nothing it was rendered from has changed since; otherwise undefined. Never throws.
 */
export function cachedHelp(
  args: string[],
  io: { env: NodeJS.ProcessEnv; stdout: { isTTY?: boolean; columns?: number } } = process,
): string | undefined {
  if (helpCacheDisabled(io.env)) return undefined;
  try {
    const texts = JSON.parse(readFileSync(helpTextsFile(io.env), "utf8")) as Partial<HelpTexts>;
    if (texts.format !== HELP_TEXTS_FORMAT || texts.width !== stdoutHelpWidth(io.stdout)) return undefined;
    const index = texts.requests?.[JSON.stringify(args)];
    const text = index === undefined ? undefined : texts.texts?.[index];
    if (typeof text !== "string" || !Array.isArray(texts.inputs)) return undefined;
    return inputsUnchanged(texts.inputs) ? text : undefined;
  } catch {
    return undefined;
  }
}
