/**
 * `cto up`: prerequisites, preview, a summary of what changes (stateful replacements called out),
 * confirmation, apply with progress. The work is in cli/lifecycle/up.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption, yesOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("up")
    .alias("install")
    .description("install or update an environment: checks, preview, confirmation, apply with progress")
    .option("--profile <PROFILE>", "use this profile instead of the one cto.yaml names")
    .option("--skip-checks", "skip the prerequisite checks (not recommended)")
    .option("--diff", "show old → new values of changed properties in the preview")
    .option("--refresh", "read the cluster's actual state before computing changes");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print events as JSON lines (preflight, preview, progress, result)");
  yesOption(cmd, "apply without asking (required without a terminal)");
  examples(cmd, ["cto up --yes", "cto up --env staging --profile standard --yes --json"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runUp } = await import("../lifecycle/up.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runUp(options, processLifecycleIO());
  });
}
