/**
 * `cto profiles list` and `cto profiles show NAME`: the installation profiles, their requirements,
 * estimated install time and components. The work is in cli/profiles/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { examples, jsonFlag, processIO, type OptionsOf } from "../context.js";

export function defineList(profiles: Command) {
  return profiles
    .command("list")
    .description("every profile with its requirements and estimated install time")
    .addOption(jsonFlag());
}

export function defineShow(profiles: Command) {
  return profiles
    .command("show")
    .description("one profile: components (category, dependencies, install order), features, requirements")
    .argument("<NAME>", "profile name, e.g. standard")
    .addOption(jsonFlag());
}

/** `cto profiles list`'s and `cto profiles show`'s options, typed from the flags declared above. */
export type ListOptions = OptionsOf<ReturnType<typeof defineList>>;
export type ShowOptions = OptionsOf<ReturnType<typeof defineShow>>;

export function register(program: Command): void {
  const profiles = program
    .command("profiles")
    .description("compare the installation profiles and see what each installs");

  const list = defineList(profiles);
  examples(list, ["cto profiles list"]);
  list.action(async (options) => {
    const { runList } = await import("../profiles/run.js");
    process.exitCode = await runList(options, processIO());
  });

  const show = defineShow(profiles);
  examples(show, ["cto profiles show standard", "cto profiles show production --json"]);
  show.action(async (name, options) => {
    const { runShow } = await import("../profiles/run.js");
    process.exitCode = await runShow(name, options, processIO());
  });
}
