/**
 * `cto up`: prerequisites, preview, a summary of what changes (stateful replacements called out),
 * confirmation, apply with progress. The work is in cli/lifecycle/up.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, yesFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("up")
    .alias("install")
    .description("install or update an environment: checks, preview, confirmation, apply with progress")
    .option("--profile <PROFILE>", "use this profile instead of the one cto.yaml names")
    .option("--skip-checks", "skip the prerequisite checks (not recommended)")
    .option("--diff", "show old → new values of changed properties in the preview")
    .option("--refresh", "read the cluster's actual state before computing changes")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print events as JSON lines (preflight, preview, progress, result)"))
    .addOption(yesFlag("apply without asking (required without a terminal)"));
}

/** `cto up`'s options, typed from the flags declared above (its run function takes them). */
export type UpOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto up --yes", "cto up --env dev --profile standard --yes --json"]);
  cmd.action(async (options) => {
    const { runUp } = await import("../lifecycle/up.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runUp(options, processLifecycleIO());
  });
}
