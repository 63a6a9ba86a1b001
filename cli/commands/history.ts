/** `cto history`: every update of an environment (plan, release, versions recorded before each). */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("history")
    .description("list the updates of an environment (the numbers cto rollback --to takes)")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

/** `cto history`'s options, typed from the flags declared above (its run function takes them). */
export type HistoryOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto history", "cto history --env prod --json"]);
  cmd.action(async (options) => {
    const { runHistory } = await import("../lifecycle/history.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runHistory(options, processLifecycleIO());
  });
}
