/**
 * The `--help` examples as a user finds them, for the tests that run them: the cli tier
 * (test/cli/help-examples.test.ts: everything, with no cluster and no GitHub) and the e2e tier
 * (test/e2e/help-examples-cluster.test.ts: the examples that need a cluster or GitHub, on a
 * simulated cluster and the fake GitHub). Both read the examples from the built binary's help,
 * run them where `cto init` wrote cto.yaml, and uncomment the prod block init writes as a comment
 * for the `--env prod` examples.
 */
import assert from "node:assert/strict";
import type { CtoResult } from "./cli.js";

/**
 * The examples that need a cluster or GitHub (the command line after `cto `). The cli tier checks
 * only that they get past every check of their input (exit 0 or 1, never 2); the e2e tier runs
 * each of them to exit 0 on a simulated cluster and the fake GitHub, and fails when the help shows
 * one it has no step for.
 */
export const NEEDS_CLUSTER_OR_GITHUB =
  /^(?:doctor(?! --mail-test)|preview|up|upgrade|rollback|refresh|destroy|task run|backup|github apps create|github redeliver|pulumi .* -- preview)(?: |$)/;

/** Commands a help text lists (`  name [options]  description`), without commander's `help`. */
export function listedCommands(help: string): string[] {
  const at = help.indexOf("\nCommands:\n");
  if (at < 0) return [];
  const section = help.slice(at + "\nCommands:\n".length).split(/\n\s*\n/)[0] ?? "";
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)(?:\|[a-z-]+)?(?= |$)/gm)]
    .map((m) => m[1] as string)
    .filter((c) => c !== "help");
}

/** The `  $ …` lines of a help text. */
export function examplesIn(help: string): string[] {
  return [...help.matchAll(/^ {2}\$ (.+)$/gm)].map((m) => m[1] as string);
}

/** The argument list of an example (`cto a b` → [a, b]); no quoting is used in cto's examples. */
export function argsOf(line: string): string[] {
  const words = line.trim().split(/\s+/);
  assert.equal(words[0], "cto", `example does not start with cto: ${line}`);
  assert.ok(!/["'\\$]/.test(line), `example needs a shell to run, say how in this test: ${line}`);
  return words.slice(1);
}

/**
 * An example as a command line and what it reads on stdin: `printenv VAR | cto …` is `cto …` with
 * the variable's value on stdin (`stdinVar`).
 */
export function splitPipe(line: string): { command: string; stdinVar?: string } {
  const piped = /^printenv (\w+) \| (cto .*)$/.exec(line);
  return piped ? { command: piped[2] as string, stdinVar: piped[1] as string } : { command: line };
}

/** The command line after `cto ` (what NEEDS_CLUSTER_OR_GITHUB and the tests' rules match). */
export function afterCto(command: string): string {
  return command.slice("cto ".length);
}

/**
 * Every help, from `cto --help` down through every command and subcommand it lists: help path
 * (`""`, `"github apps create"`) → text. Each must exit 0.
 */
export async function readHelps(run: (args: string[]) => Promise<CtoResult>): Promise<Map<string, string>> {
  const helps = new Map<string, string>();
  const queue: string[][] = [[]];
  while (queue.length > 0) {
    const path = queue.shift() as string[];
    const r = await run([...path, "--help"]);
    assert.equal(r.code, 0, `cto ${path.join(" ")} --help: ${r.stderr}`);
    helps.set(path.join(" "), r.stdout);
    for (const c of listedCommands(r.stdout)) queue.push([...path, c]);
  }
  return helps;
}

/** cto.yaml with the prod environment init writes as a comment uncommented, as the file invites. */
export function uncommentProd(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l === "  # prod:");
  assert.ok(start > 0, "init wrote the prod block");
  for (let i = start; i < lines.length && lines[i]?.startsWith("  # "); i++) lines[i] = `  ${lines[i]?.slice(4)}`;
  return lines.join("\n");
}
