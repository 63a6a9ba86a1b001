/**
 * `cto destroy`: delete everything an environment manages. The stack and its history stay. A
 * production environment asks for its name to be typed (`--confirm NAME` without a terminal).
 */
import type { Command } from "@commander-js/extra-typings";
import { envOption, examples, fileOption, jsonOption, yesOption } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("destroy")
    .alias("uninstall")
    .description("delete everything in an environment (asks first; production asks for its name)")
    .option("--confirm <NAME>", "the environment's name, required to destroy production without a terminal")
    .option(
      "--keep-crds",
      "keep the CRDs Helm leaves on uninstall (a chart's crds/ directory, resource-policy keep) and with them every custom resource",
    );
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print events as JSON lines");
  yesOption(cmd, "destroy without asking (required without a terminal)");
  examples(cmd, ["cto destroy --env dev --yes", "cto destroy --env prod --yes --confirm prod"]);
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runDestroy } = await import("../lifecycle/destroy.js");
    const { processLifecycleIO } = await import("../lifecycle/session.js");
    process.exitCode = await runDestroy(options, processLifecycleIO());
  });
}
