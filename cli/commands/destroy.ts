/**
 * `cto destroy`: delete everything an environment manages. The stack and its history stay. A
 * production environment asks for its name to be typed (`--confirm NAME` without a terminal).
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, yesFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("destroy")
    .alias("uninstall")
    .description("delete everything in an environment (asks first; production asks for its name)")
    .option("--confirm <NAME>", "the environment's name, required to destroy production without a terminal")
    .option(
      "--keep-crds",
      "keep the CRDs Helm leaves on uninstall (a chart's crds/ directory, resource-policy keep) and with them every custom resource",
    )
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print events as JSON lines"))
    .addOption(yesFlag("destroy without asking (required without a terminal)"));
}

/** `cto destroy`'s options, typed from the flags declared above (its run function takes them). */
export type DestroyOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto destroy --env dev --yes", "cto destroy --env prod --yes --confirm prod"]);
  cmd.action(async (options) => {
    const { runDestroy } = await import("../lifecycle/destroy.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runDestroy(options, processLifecycleIO());
  });
}
