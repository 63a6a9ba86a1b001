/**
 * `cto pulumi --env ENV -- ARGS…`: the plain Pulumi CLI on an environment's stack, with the
 * backend, passphrase, plugins and stack set as cto sets them. Work: cli/lifecycle/pulumi.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("pulumi")
    .description("run the Pulumi CLI on an environment's stack (arguments after --)")
    .argument("<ARGS...>", "the pulumi command and its flags, after -- (never --stack: --env chooses it)")
    .allowUnknownOption()
    .addHelpText(
      "after",
      [
        "",
        "Runs the Pulumi CLI cto uses (cto version shows which) in the environment's work directory,",
        "whose Pulumi.yaml runs cto's program. First it writes the plan from cto.yaml into the stack",
        "config (as cto preview does) and selects the stack. The backend URL, the passphrase (as",
        "PULUMI_CONFIG_PASSPHRASE_FILE, or your PULUMI_CONFIG_PASSPHRASE) and the plugin path reach",
        "the CLI through its environment, never its arguments; it never downloads plugins",
        "(PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true). Its exit code is cto's. Relative paths in",
        "the arguments are relative to that work directory: give files as absolute paths.",
        "Changes made with pulumi up/destroy here skip cto's checks and are not in cto history:",
        "apply with cto up.",
      ].join("\n"),
    )
    .addOption(fileFlag())
    .addOption(envFlag());
}

/** `cto pulumi`'s options, typed from the flags declared above (its run function takes them). */
export type PulumiOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, [
    "cto pulumi --env dev -- preview --diff",
    "cto pulumi --env prod -- stack --show-urns",
    "cto pulumi --env dev -- stack export",
    "cto pulumi --env dev -- config",
  ]);
  cmd.action(async (args, options) => {
    const { runPulumiCommand } = await import("../lifecycle/pulumi.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runPulumiCommand(args, options, processLifecycleIO());
  });
}
