/** `cto stacks`: the environments of this platform with their last update and resource counts. */
import type { Command } from "@commander-js/extra-typings";
import { examples, fileFlag, jsonFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("stacks")
    .description("list environments: last update, resource count")
    .addOption(fileFlag())
    .addOption(jsonFlag());
}

/** `cto stacks`'s options, typed from the flags declared above (its run function takes them). */
export type StacksOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto stacks", "cto stacks --json"]);
  cmd.action(async (options) => {
    const { runStacks } = await import("../lifecycle/stacks.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runStacks(options, processLifecycleIO());
  });
}
