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
 * returns nothing and the program renders the help itself. Help the program rendered at another
 * width (a terminal not 80 columns wide) is remembered under `$CTO_HOME/cache/help/` with the
 * build's fingerprints (`rememberHelp`) and served the same way from the next time on.
 *
 * Imported by bin.ts for help requests only; node built-ins and config/paths.ts, no commander.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ctoHome } from "../config/paths.js";
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

type HelpIO = { env: NodeJS.ProcessEnv; stdout: { isTTY?: boolean; columns?: number } };

/** Reads a texts file; undefined when it is missing, unreadable or not this format. */
function readTexts(file: string): HelpTexts | undefined {
  try {
    const texts = JSON.parse(readFileSync(file, "utf8")) as Partial<HelpTexts>;
    const valid =
      texts.format === HELP_TEXTS_FORMAT &&
      typeof texts.width === "number" &&
      Array.isArray(texts.inputs) &&
      typeof texts.requests === "object" &&
      texts.requests !== null &&
      Array.isArray(texts.texts);
    return valid ? (texts as HelpTexts) : undefined;
  } catch {
    return undefined;
  }
}

/** The text `texts` holds for `args` at `width`, if its modules are unchanged. */
function textFor(texts: HelpTexts | undefined, args: string[], width: number): string | undefined {
  if (texts === undefined || texts.width !== width) return undefined;
  const index = texts.requests[JSON.stringify(args)];
  const text = index === undefined ? undefined : texts.texts[index];
  return typeof text === "string" && inputsUnchanged(texts.inputs) ? text : undefined;
}

/**
 * Help rendered at widths the build did not record (a terminal that is not 80 columns wide) is
 * remembered per user, in `$CTO_HOME/cache/help/width-<N>.json`, in the same format and checked
 * the same way as the build's texts.
 */
export function rememberedHelpFile(env: NodeJS.ProcessEnv, width: number): string {
  return path.join(ctoHome(env), "cache", "help", `width-${width}.json`);
}

/**
 * The text cto prints for `args` (the arguments after `cto`) if the build recorded it, or cto
 * remembered it, for this help width and nothing it was rendered from has changed since;
 * otherwise undefined. Never throws.
 */
export function cachedHelp(args: string[], io: HelpIO = process): string | undefined {
  if (helpCacheDisabled(io.env)) return undefined;
  try {
    const width = stdoutHelpWidth(io.stdout);
    return (
      textFor(readTexts(helpTextsFile(io.env)), args, width) ??
      textFor(readTexts(rememberedHelpFile(io.env, width)), args, width)
    );
  } catch {
    return undefined;
  }
}

/**
 * Remembers `text`, which the program has just printed for the help request `args` at this help
 * width (exit 0, nothing on stderr), for the next time (see `rememberedHelpFile`). Only when the
 * build recorded texts at another width and its modules are still the ones recorded: their
 * fingerprints are what the remembered text is checked against. Never throws; a cache that cannot
 * be written is left alone.
 */
export function rememberHelp(args: string[], text: string, io: HelpIO = process): void {
  if (helpCacheDisabled(io.env)) return;
  try {
    const width = stdoutHelpWidth(io.stdout);
    const build = readTexts(helpTextsFile(io.env));
    if (build === undefined || build.width === width || !inputsUnchanged(build.inputs)) return;
    const file = rememberedHelpFile(io.env, width);
    const known = readTexts(file);
    const texts: HelpTexts =
      known !== undefined && known.width === width && JSON.stringify(known.inputs) === JSON.stringify(build.inputs)
        ? known
        : { format: HELP_TEXTS_FORMAT, width, inputs: build.inputs, requests: {}, texts: [] };
    let index = texts.texts.indexOf(text);
    if (index < 0) index = texts.texts.push(text) - 1;
    texts.requests[JSON.stringify(args)] = index;
    mkdirSync(ctoHome(io.env), { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(texts));
    renameSync(temporary, file);
  } catch {
    // Only an optimisation.
  }
}
