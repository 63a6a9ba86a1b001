/** `cto upgrade`: move an environment to another platform release of profiles/versions.yaml. */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, yesFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("upgrade")
    .description("move to another platform release: version changes, preview, confirmation, apply")
    .option("--to <RELEASE>", "platform release from profiles/versions.yaml (default: the newest)")
    .option("--diff", "show old → new values of changed properties in the preview")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print events as JSON lines"))
    .addOption(yesFlag("apply without asking (required without a terminal)"));
}

/** `cto upgrade`'s options, typed from the flags declared above (its run function takes them). */
export type UpgradeOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto upgrade --yes", "cto upgrade --env prod --to 0.3.0 --yes"]);
  cmd.action(async (options) => {
    const { runUpgrade } = await import("../lifecycle/upgrade.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runUpgrade(options, processLifecycleIO());
  });
}
