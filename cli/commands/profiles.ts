/**
 * `cto profiles list` and `cto profiles show NAME`: the installation profiles, their requirements,
 * estimated install time and components. The work is in cli/profiles/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { examples, jsonOption, processIO } from "../context.js";

export function register(program: Command): void {
  const profiles = program
    .command("profiles")
    .description("compare the installation profiles and see what each installs");

  const list = profiles.command("list").description("every profile with its requirements and estimated install time");
  jsonOption(list);
  examples(list, ["cto profiles list"]);
  list.action(async (options: { json?: boolean }) => {
    const { runList } = await import("../profiles/run.js");
    process.exitCode = await runList(options, processIO());
  });

  const show = profiles
    .command("show")
    .description("one profile: components (category, dependencies, install order), features, requirements")
    .argument("<NAME>", "profile name, e.g. standard");
  jsonOption(show);
  examples(show, ["cto profiles show standard", "cto profiles show production --json"]);
  show.action(async (name: string, options: { json?: boolean }) => {
    const { runShow } = await import("../profiles/run.js");
    process.exitCode = await runShow(name, options, processIO());
  });
}
