/** `cto stacks`: the environments of this platform with their last update and resource counts. */
import type { Command } from "@commander-js/extra-typings";
import { examples, fileOption, jsonOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program.command("stacks").description("list environments: last update, resource count");
  fileOption(cmd);
  jsonOption(cmd);
  examples(cmd, ["cto stacks", "cto stacks --json"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runStacks } = await import("../lifecycle/stacks.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runStacks(options, processLifecycleIO());
  });
}
