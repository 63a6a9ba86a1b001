/** `cto upgrade`: move an environment to another platform release of profiles/versions.yaml. */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption, yesOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("upgrade")
    .description("move to another platform release: version changes, preview, confirmation, apply")
    .option("--to <RELEASE>", "platform release from profiles/versions.yaml (default: the newest)")
    .option("--diff", "show old → new values of changed properties in the preview");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print events as JSON lines");
  yesOption(cmd, "apply without asking (required without a terminal)");
  examples(cmd, ["cto upgrade --yes", "cto upgrade --env prod --to 0.3.0 --yes"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runUpgrade } = await import("../lifecycle/upgrade.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runUpgrade(options, processLifecycleIO());
  });
}
