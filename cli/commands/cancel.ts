/**
 * `cto cancel`: when an update died and left its lock, say who held it and since when, and clear
 * it after confirmation. A lock whose process still runs is not cleared without --force.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, yesFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("cancel")
    .description("clear the lock an interrupted update left (shows who held it; asks first)")
    .option("--force", "clear it even though the process holding it still runs")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag())
    .addOption(yesFlag("clear without asking"));
}

/** `cto cancel`'s options, typed from the flags declared above (its run function takes them). */
export type CancelOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto cancel --env dev", "cto cancel --env dev --yes"]);
  cmd.action(async (options) => {
    const { runCancel } = await import("../lifecycle/cancel.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runCancel(options, processLifecycleIO());
  });
}
