/**
 * `cto render`: writes the fully rendered configuration of one environment into a directory, for
 * teams that commit it to a GitOps repository. The work is in cli/render/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, processIO, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("render")
    .description("write the rendered chart values and manifests of an environment to a directory (for GitOps)")
    .option("--out <DIR>", "output directory (default: rendered/ENV)")
    .option(
      "--format <FORMAT>",
      "helm-values (values files per chart) or manifests (Argo CD Applications)",
      "helm-values",
    )
    .option("--secret-store <NAME>", "ClusterSecretStore the ExternalSecrets read from (--format manifests)", "cto")
    .option("--templates <DIR>", "templates that replace bundled ones of the same name")
    .addOption(fileFlag())
    .addOption(envFlag());
}

/** `cto render`'s options, typed from the flags declared above (its run function takes them). */
export type RenderCommandOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, [
    "cto render --env prod --out gitops/prod",
    "cto render --env prod --out gitops/prod --format manifests --secret-store vault",
  ]);
  cmd.addHelpText(
    "after",
    "\nSecrets are written as references (Secret names, or ExternalSecrets), never as values.\nRendering twice gives byte-identical files; files an earlier render wrote and this one does not are removed.\n",
  );
  cmd.action(async (options) => {
    const { runRender } = await import("../render/run.js");
    process.exitCode = await runRender(options, processIO());
  });
}
