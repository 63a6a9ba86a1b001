/** `cto history`: every update of an environment (plan, release, versions recorded before each). */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("history")
    .description("list the updates of an environment (the numbers cto rollback --to takes)");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd);
  examples(cmd, ["cto history", "cto history --env prod --json"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runHistory } = await import("../lifecycle/history.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runHistory(options, processLifecycleIO());
  });
}
