/**
 * `cto doctor`: checks every prerequisite of the plan (tools, machine size, ports, state backend,
 * cluster capacity, GitHub) and says how to fix what fails. The work is in cli/doctor/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, processIO, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("doctor")
    .description("check prerequisites for the plan: ✓ met, ✗ critical (exit 1), ! warning, with the fix for each")
    .option("--profile <PROFILE>", "check against this profile instead of the one cto.yaml names")
    .option("--fix", "install what cto can (the pinned Pulumi CLI into ~/.cto/bin); print instructions for the rest")
    .option(
      "--mail-test <ADDRESS>",
      "only send a test mail to ADDRESS through the configured SMTP server (mail: in cto.yaml) and report the outcome",
    )
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag("print the report as JSON (schemaVersion 1)"));
}

/** `cto doctor`'s options, typed from the flags declared above (its run function takes them). */
export type DoctorCommandOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, [
    "cto doctor",
    "cto doctor --profile production --env prod --json",
    "cto doctor --fix",
    "cto doctor --mail-test you@acme.example",
  ]);
  cmd.addHelpText(
    "after",
    "\ncto doctor never runs sudo; fixes that need root are printed for you to run.\n" +
      "--mail-test uses mail.smtp_host, smtp_port, smtp_tls, from and smtp_password of cto.yaml (the\n" +
      "settings the controller gets); exit 1 when the server cannot be reached or refuses the mail.\n",
  );
  cmd.action(async (options) => {
    const progress = (text: string): void => {
      if (process.stderr.isTTY && !options.json) process.stderr.write(`${text}\n`);
    };
    if (typeof options.mailTest === "string") {
      const { runMailTest } = await import("../doctor/mail-test.js");
      process.exitCode = await runMailTest(options.mailTest, options, { ...processIO(), progress });
      return;
    }
    const { runDoctor } = await import("../doctor/run.js");
    process.exitCode = await runDoctor(options, { ...processIO(), progress });
  });
}
