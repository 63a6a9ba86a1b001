/** `cto preview`: what `cto up` would change, grouped by component. Changes nothing, takes no lock. */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("preview")
    .description("show what cto up would change, grouped by component (changes nothing)")
    .option("--profile <PROFILE>", "use this profile instead of the one cto.yaml names")
    .option("--diff", "show old → new values of changed properties")
    .option("--refresh", "read the cluster's actual state first");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print the preview (changes, steps, stateful replacements) as one JSON document");
  examples(cmd, ["cto preview", "cto preview --env prod --diff", "cto preview --json"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runPreview } = await import("../lifecycle/preview.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runPreview(options, processLifecycleIO());
  });
}
