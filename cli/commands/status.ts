/** `cto status`: outputs, last update, locks, and each component's live health; exit 1 when unhealthy. */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("status")
    .description("show an environment's outputs, last update and component health (exit 1 when unhealthy)");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd);
  examples(cmd, ["cto status", "cto status --env prod --json"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runStatus } = await import("../lifecycle/status.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runStatus(options, processLifecycleIO());
  });
}
