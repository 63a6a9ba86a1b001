/** `cto rollback`: re-apply the plan and versions recorded for an earlier update. */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption, yesOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("rollback")
    .description("re-apply an earlier update's plan (default: the successful update before the current one)")
    .option("--to <N>", "update number from cto history")
    .option("--diff", "show old → new values of changed properties in the preview");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print events as JSON lines");
  yesOption(cmd, "apply without asking (required without a terminal)");
  examples(cmd, ["cto rollback --yes", "cto rollback --env prod --to 3 --yes"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runRollback } = await import("../lifecycle/rollback.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runRollback(options, processLifecycleIO());
  });
}
