/** `cto rollback`: re-apply the plan and versions recorded for an earlier update. */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, yesFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("rollback")
    .description("re-apply an earlier update's plan (default: the successful update before the current one)")
    .option("--to <N>", "update number from cto history")
    .option("--diff", "show old → new values of changed properties in the preview")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print events as JSON lines"))
    .addOption(yesFlag("apply without asking (required without a terminal)"));
}

/** `cto rollback`'s options, typed from the flags declared above (its run function takes them). */
export type RollbackOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto rollback --yes", "cto rollback --env prod --to 3 --yes"]);
  cmd.action(async (options) => {
    const { runRollback } = await import("../lifecycle/rollback.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runRollback(options, processLifecycleIO());
  });
}
