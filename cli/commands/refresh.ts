/** `cto refresh`: read what exists in the cluster and bring the stack's state in line with it. */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("refresh")
    .description("read the cluster and bring the environment's state in line with what exists")
    .option("--clear-pending", "drop operations an interrupted run left pending (after a crash or kill)")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print events as JSON lines"));
}

/** `cto refresh`'s options, typed from the flags declared above (its run function takes them). */
export type RefreshOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto refresh", "cto refresh --env dev --clear-pending"]);
  cmd.action(async (options) => {
    const { runRefresh } = await import("../lifecycle/refresh.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runRefresh(options, processLifecycleIO());
  });
}
