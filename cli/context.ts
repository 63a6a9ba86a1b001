/**
 * Option helpers shared by the command modules: the common flags (`-f/--file`, `--env`, `--json`,
 * `--yes`), where the config file is, whether we may prompt, and help examples.
 *
 * Kept light on purpose (commander types and node builtins only): every command module imports it
 * at the top, and `cto --help` loads every command module.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Option, type Command, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.js";
import { packageRoot } from "../config/paths.js";

/** Environment (= stack) name when `--env` is not given. */
export const DEFAULT_ENVIRONMENT = "dev";
/** Config file name when neither `-f` nor `$CTO_CONFIG` is given. */
export const DEFAULT_CONFIG_FILE = "cto.yaml";

/** Options every command that reads `cto.yaml` understands. */
export interface FileOption {
  file?: string;
}
export interface EnvOption {
  env: string;
}

/**
 * The options a command's action receives, as `@commander-js/extra-typings` infers them from the
 * flags the command declares: `OptionsOf<ReturnType<typeof define>>` in a command module gives the
 * type its run function takes, so renaming or removing a flag is a compile error where it is read.
 */
export type OptionsOf<C> = C extends Command<unknown[], infer O, infer _G> ? O : never;

/** `-f, --file FILE`: the config file (`cmd.addOption(fileFlag())`). */
export function fileFlag() {
  return new Option("-f, --file <FILE>", `config file (default: $CTO_CONFIG, else ./${DEFAULT_CONFIG_FILE})`);
}

/** `--env ENV`: the environment (one Pulumi stack each). */
export function envFlag() {
  return new Option("--env <ENV>", "environment (one stack each): dev, staging, prod, …").default(DEFAULT_ENVIRONMENT);
}

/** `--json`: machine-readable output on stdout. */
export function jsonFlag(what = "print the result as JSON") {
  return new Option("--json", what);
}

/** `--yes`: accept defaults and never prompt. */
export function yesFlag(what = "accept defaults and never prompt") {
  return new Option("-y, --yes", what);
}

/** The config file a command reads: `-f`, else `$CTO_CONFIG`, else `./cto.yaml`; absolute. */
export function configFilePath(options: FileOption, io: { cwd: string; env: NodeJS.ProcessEnv }): string {
  const given = options.file ?? (io.env.CTO_CONFIG || undefined) ?? DEFAULT_CONFIG_FILE;
  return resolve(io.cwd, given);
}

/** Like `configFilePath`, and the file must exist (a `UserError` naming the fix if not). */
export function existingConfigFile(options: FileOption, io: { cwd: string; env: NodeJS.ProcessEnv }): string {
  const file = configFilePath(options, io);
  if (!existsSync(file)) {
    throw new UserError(`${file}: no such file`, {
      hint: "run `cto init` to write one, or pass -f FILE (or set CTO_CONFIG)",
    });
  }
  return file;
}

/** True when `CI` is set to anything but an empty string, `0` or `false`. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "0" && ci !== "false";
}

/** Prompts need a terminal on both ends and no CI. */
export function canPrompt(
  env: NodeJS.ProcessEnv = process.env,
  streams: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } } = process,
): boolean {
  return Boolean(streams.stdin.isTTY) && Boolean(streams.stdout.isTTY) && !isCI(env);
}

/** Colour only for a terminal, and never when NO_COLOR is set. */
export function useColor(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stdout): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== "dumb";
}

const EXAMPLES = new WeakMap<object, string[]>();

/**
 * Non-interactive examples for a command: shown under its own `--help`, and collected by
 * `cto --help` (see `examplesOf`), so the top-level help teaches every command.
 */
export function examples<C extends { addHelpText(position: "after", text: string): unknown }>(
  cmd: C,
  lines: string[],
): C {
  EXAMPLES.set(cmd, lines);
  cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
  return cmd;
}

/**
 * A command group (`cto github`, `cto github apps`, …) has no examples of its own: its help shows
 * its subcommands' examples, so that every `--help` teaches at least one command line.
 */
export function groupExamples(cmd: CommandUnknownOpts): void {
  for (const sub of cmd.commands) {
    groupExamples(sub);
    if (sub.commands.length > 0 && !EXAMPLES.has(sub)) {
      const lines = examplesOf(sub);
      if (lines.length > 0) sub.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
    }
  }
}

/** The examples registered for a command and its subcommands. */
export function examplesOf(cmd: CommandUnknownOpts): string[] {
  return [...(EXAMPLES.get(cmd) ?? []), ...cmd.commands.flatMap((c) => examplesOf(c))];
}

/** What an action needs from the process, injectable so actions can be called from tests. */
export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** One line to stdout. */
  print: (line: string) => void;
}

/** The real process. */
export function processIO(): CommandIO {
  return { cwd: process.cwd(), env: process.env, print: (line) => process.stdout.write(`${line}\n`) };
}

/** cto's version, from its package.json. */
export function ctoVersion(): string {
  return packageManifest().version;
}

/** cto's package.json (the fields the CLI reads). */
export function packageManifest(): { version: string; dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
    version: string;
    dependencies?: Record<string, string>;
  };
}
