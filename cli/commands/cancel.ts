/**
 * `cto cancel`: when an update died and left its lock, say who held it and since when, and clear
 * it after confirmation. A lock whose process still runs is not cleared without --force.
 */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption, yesOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("cancel")
    .description("clear the lock an interrupted update left (shows who held it; asks first)")
    .option("--force", "clear it even though the process holding it still runs");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd);
  yesOption(cmd, "clear without asking");
  examples(cmd, ["cto cancel --env dev", "cto cancel --env dev --yes"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runCancel } = await import("../lifecycle/cancel.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runCancel(options, processLifecycleIO());
  });
}
