/** `cto refresh`: read what exists in the cluster and bring the stack's state in line with it. */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("refresh")
    .description("read the cluster and bring the environment's state in line with what exists")
    .option("--clear-pending", "drop operations an interrupted run left pending (after a crash or kill)");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print events as JSON lines");
  examples(cmd, ["cto refresh", "cto refresh --env dev --clear-pending"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runRefresh } = await import("../lifecycle/refresh.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runRefresh(options, processLifecycleIO());
  });
}
