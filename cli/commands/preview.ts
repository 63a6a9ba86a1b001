/** `cto preview`: what `cto up` would change, grouped by component. Changes nothing, takes no lock. */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("preview")
    .description("show what cto up would change, grouped by component (changes nothing)")
    .option("--profile <PROFILE>", "use this profile instead of the one cto.yaml names")
    .option("--diff", "show old → new values of changed properties")
    .option("--refresh", "read the cluster's actual state first")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print the preview (changes, steps, stateful replacements) as one JSON document"));
}

/** `cto preview`'s options, typed from the flags declared above (its run function takes them). */
export type PreviewOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto preview", "cto preview --env prod --diff", "cto preview --json"]);
  cmd.action(async (options) => {
    const { runPreview } = await import("../lifecycle/preview.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runPreview(options, processLifecycleIO());
  });
}
