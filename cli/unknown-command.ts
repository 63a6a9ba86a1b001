/**
 * What `cto` says about a command it does not know: the nearest command, always. Words people bring
 * from other tools map to the command that does that job (`deploy` → up, never `destroy`, which
 * is closer by spelling); otherwise the closest name or alias by edit distance; with nothing
 * plausibly close, the list of commands.
 */
import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";
import { editDistance } from "../config/suggest.js";

/** Words from other tools → the cto command for that job (only names cto does not have). */
const SYNONYMS: Readonly<Record<string, string>> = {
  deploy: "up",
  apply: "up",
  create: "up",
  provision: "up",
  start: "up",
  update: "up",
  delete: "destroy",
  remove: "destroy",
  teardown: "destroy",
  down: "destroy",
  plan: "preview",
  diff: "preview",
  check: "doctor",
  validate: "config",
  info: "status",
  show: "status",
  list: "stacks",
  ls: "stacks",
  setup: "init",
  configure: "init",
  revert: "rollback",
  undo: "rollback",
  log: "history",
  logs: "history",
  abort: "cancel",
};

/** Names and aliases of a command's visible subcommands. */
function candidates(parent: Command): Map<string, string> {
  const names = new Map<string, string>();
  for (const cmd of parent.commands) {
    const hidden = (cmd as unknown as { _hidden?: boolean })._hidden === true;
    if (hidden) continue;
    names.set(cmd.name(), cmd.name());
    for (const alias of cmd.aliases()) names.set(alias, cmd.name());
  }
  return names;
}

/** The nearest command under `parent` for `input` (its name, or an alias as typed), or undefined. */
export function nearestCommand(parent: Command, input: string): string | undefined {
  const names = candidates(parent);
  const word = input.toLowerCase();
  const synonym = SYNONYMS[word];
  if (synonym !== undefined && names.has(synonym)) return synonym;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of [...names.keys()].sort()) {
    // A prefix (`stat` → status) is as good as one edit.
    const d = name.startsWith(word) && word.length >= 2 ? 1 : editDistance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  // Beyond half the word's length the closest name is a guess, not a suggestion.
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(word.length / 2)) ? best : undefined;
}

/** The message for an unknown command under `parent` (e.g. `cto config valdate`). */
export function unknownCommandMessage(parent: Command, input: string): string {
  const path = commandPath(parent);
  const nearest = nearestCommand(parent, input);
  const list = [...candidates(parent).entries()]
    .filter(([name, of]) => name === of)
    .map(([name]) => name)
    .join(", ");
  return nearest !== undefined
    ? `error: unknown command '${input}'. Did you mean '${path} ${nearest}'? (${path} --help lists every command)`
    : `error: unknown command '${input}'. ${path} has: ${list} (see ${path} --help)`;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Makes `parent` and every command under it that has subcommands answer an unknown subcommand with
 * `unknownCommandMessage` (a usage error, exit 2), instead of commander's suggestion, which stays
 * silent when nothing is close by spelling.
 */
export function suggestUnknownCommands(parent: Command): void {
  if (parent.commands.length === 0) return;
  parent.on("command:*", (operands: string[]) => {
    parent.error(unknownCommandMessage(parent, operands[0] ?? ""), { code: "commander.unknownCommand", exitCode: 2 });
  });
  for (const sub of parent.commands) suggestUnknownCommands(sub);
}
