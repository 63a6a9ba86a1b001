/**
 * `cto config validate` and `cto config show`: check a cto.yaml (every problem at once, exit 2)
 * and print it, or the plan it resolves to, with secrets redacted. The work is in cli/config/.
 */
import type { Command } from "@commander-js/extra-typings";
import { examples, fileFlag, processIO, type OptionsOf } from "../context.js";

export function defineValidate(config: Command) {
  return config
    .command("validate")
    .description("check cto.yaml and the plan of each environment; every problem at once, exit 2 if any")
    .addOption(fileFlag());
}

export function defineShow(config: Command) {
  return config
    .command("show")
    .description("print the configuration (defaults filled in) or, with --resolved, the plan; secrets redacted")
    .option("--env <ENV>", "environment whose plan --resolved shows (default: dev)")
    .option("--resolved", "show the plan: config + profile + environment, fully defaulted")
    .option("--output <FORMAT>", "yaml or json", "yaml")
    .addOption(fileFlag());
}

/** `cto config validate`'s and `cto config show`'s options, typed from the flags declared above. */
export type ValidateOptions = OptionsOf<ReturnType<typeof defineValidate>>;
export type ShowOptions = OptionsOf<ReturnType<typeof defineShow>>;

export function register(program: Command): void {
  const config = program.command("config").description("check cto.yaml, and show it or the plan it resolves to");

  const validate = defineValidate(config);
  examples(validate, ["cto config validate", "cto config validate -f staging.yaml"]);
  validate.action(async (options) => {
    const { runValidate } = await import("../config/run.js");
    process.exitCode = await runValidate(options, processIO());
  });

  const show = defineShow(config);
  examples(show, ["cto config show", "cto config show --env prod --resolved --output json"]);
  show.action(async (options) => {
    const { runShow } = await import("../config/run.js");
    process.exitCode = await runShow(options, processIO());
  });
}
