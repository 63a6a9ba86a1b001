/** `cto status`: outputs, last update, locks, and each component's live health; exit 1 when unhealthy. */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("status")
    .description("show an environment's outputs, last update and component health (exit 1 when unhealthy)")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

/** `cto status`'s options, typed from the flags declared above (its run function takes them). */
export type StatusOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto status", "cto status --env prod --json"]);
  cmd.action(async (options) => {
    const { runStatus } = await import("../lifecycle/status.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runStatus(options, processLifecycleIO());
  });
}
