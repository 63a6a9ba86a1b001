/**
 * The `cto` program (started by `bin.ts`): registers the command modules listed in
 * `commands/index.ts` and turns errors into exit codes. Command modules import their heavy
 * dependencies (Pulumi SDK, stacks/*) inside their actions, so `cto --help` loads only commander
 * and this file's neighbours.
 *
 * Exit codes: 0 ok, 1 failure, 2 bad input or usage (nothing changed), 130 interrupted.
 */
import {
  Command,
  CommanderError,
  type CommandUnknownOpts,
  type OutputConfiguration,
} from "@commander-js/extra-typings";
import { UserError } from "../config/errors.js";
import { COMMAND_MODULES } from "./commands/index.js";
import { ctoVersion, examplesOf, groupExamples } from "./context.js";
import { suggestUnknownCommands } from "./unknown-command.js";

/**
 * The whole program: every command module registered, errors thrown to `main` (exitOverride).
 * `output` replaces commander's writers for the program and every command (bin.ts uses it to
 * remember rendered help, see help-cache.ts).
 */
export function buildProgram(output: Pick<OutputConfiguration, "writeOut" | "writeErr"> = {}): Command {
  const program = new Command("cto")
    .configureOutput(output)
    .description("Install and operate the CTO multi-agent development platform, one Pulumi stack per environment.")
    .version(ctoVersion(), "-V, --version", "print cto's version")
    .helpOption("-h, --help", "show help for cto or a command (cto COMMAND --help)")
    .showSuggestionAfterError(true)
    .exitOverride();
  program.configureHelp({ sortSubcommands: false });
  for (const module of COMMAND_MODULES) module.register(program);
  // Every subcommand throws CommanderError instead of calling process.exit, so main() decides.
  const inherit = (cmd: CommandUnknownOpts): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride();
      inherit(sub);
    }
  };
  inherit(program);
  suggestUnknownCommands(program);
  groupExamples(program);
  const lines = program.commands.flatMap((c) => examplesOf(c));
  program.addHelpText(
    "after",
    [
      "",
      "Examples (each runs without prompts):",
      ...lines.map((l) => `  $ ${l}`),
      "Run them where `cto init` wrote cto.yaml (init's own in an empty directory); --env prod needs the",
      "prod block init writes as a comment uncommented.",
      "",
      "Common options: -f FILE (default $CTO_CONFIG or ./cto.yaml), --env ENV (default dev), --json, --yes.",
      "With CI=true or without a terminal, cto never prompts.",
      "Exit codes: 0 ok, 1 failure, 2 bad input or usage (nothing changed), 130 interrupted.",
      "",
    ].join("\n"),
  );
  return program;
}

/** Prints an error for people and returns the exit code. */
function reportError(err: unknown, stderr: (text: string) => void): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message (or the help/version) already. A non-zero code means a
    // usage error, including a command group run without its subcommand (help on stderr).
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UserError) {
    stderr(`error: ${err.message}\n`);
    if (err.hint) stderr(`fix: ${err.hint}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  stderr(`error: ${text}\n`);
  stderr("this is a bug in cto: please report it with the command you ran and the output above\n");
  return 1;
}

/**
 * Runs cto with `argv` (as in `process.argv`) and returns the exit code; never throws. `program` is
 * for the build step that records the help texts (scripts/help-texts.ts); cto itself builds its own.
 */
export async function main(argv: string[], program?: CommandUnknownOpts): Promise<number> {
  const stderr = (text: string): void => void process.stderr.write(text);
  try {
    program ??= buildProgram();
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, stderr);
  }
}
