/**
 * `cto config validate` and `cto config show`: check a cto.yaml (every problem at once, exit 2)
 * and print it, or the plan it resolves to, with secrets redacted. The work is in cli/config/.
 */
import type { Command } from "@commander-js/extra-typings";
import { examples, fileOption, processIO } from "../context.js";

export function register(program: Command): void {
  const config = program.command("config").description("check cto.yaml, and show it or the plan it resolves to");

  const validate = config
    .command("validate")
    .description("check cto.yaml and the plan of each environment; every problem at once, exit 2 if any");
  fileOption(validate);
  examples(validate, ["cto config validate", "cto config validate -f examples/cto.yaml"]);
  validate.action(async (options: { file?: string }) => {
    const { runValidate } = await import("../config/run.js");
    process.exitCode = await runValidate(options, processIO());
  });

  const show = config
    .command("show")
    .description("print the configuration (defaults filled in) or, with --resolved, the plan; secrets redacted")
    .option("--env <ENV>", "environment whose plan --resolved shows (default: dev)")
    .option("--resolved", "show the plan: config + profile + environment, fully defaulted")
    .option("--output <FORMAT>", "yaml or json", "yaml");
  fileOption(show);
  examples(show, ["cto config show", "cto config show --env prod --resolved --output json"]);
  show.action(async (options: { file?: string; env?: string; resolved?: boolean; output: string }) => {
    const { runShow } = await import("../config/run.js");
    process.exitCode = await runShow(options, processIO());
  });
}
