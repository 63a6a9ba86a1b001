/**
 * `cto doctor`: checks every prerequisite of the plan (tools, machine size, ports, state backend,
 * cluster capacity, GitHub) and says how to fix what fails. The work is in cli/doctor/run.ts.
 */
import type { Command } from "commander";
import { envOption, examples, fileOption, jsonOption, processIO } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("doctor")
    .description("check prerequisites for the plan: ✓ met, ✗ critical (exit 1), ! warning, with the fix for each")
    .option("--profile <PROFILE>", "check against this profile instead of the one cto.yaml names")
    .option("--fix", "install what cto can (the pinned Pulumi CLI into ~/.cto/bin); print instructions for the rest");
  fileOption(cmd);
  envOption(cmd);
  jsonOption(cmd, "print the report as JSON (schemaVersion 1)");
  examples(cmd, ["cto doctor", "cto doctor --profile production --env prod --json", "cto doctor --fix"]);
  cmd.addHelpText("after", "\ncto doctor never runs sudo; fixes that need root are printed for you to run.\n");
  cmd.action(async (options: Record<string, string | boolean | undefined>) => {
    const { runDoctor } = await import("../doctor/run.js");
    const progress = (text: string): void => {
      if (process.stderr.isTTY && !options.json) process.stderr.write(`${text}\n`);
    };
    process.exitCode = await runDoctor(options, { ...processIO(), progress });
  });
}
