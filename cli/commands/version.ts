/**
 * `cto version`: cto's version, the pinned Pulumi CLI and SDKs, and which chart version each
 * platform release installs per component (from profiles/versions.yaml).
 */
import type { Command } from "@commander-js/extra-typings";
import { examples, jsonFlag, processIO, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("version")
    .description("cto's version, the pinned Pulumi versions, and the component versions of each platform release")
    .addOption(jsonFlag());
}

/** `cto version`'s options, typed from the flags declared above (its run function takes them). */
export type VersionOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, ["cto version", "cto version --json"]);
  cmd.action(async (options) => {
    const { runVersion } = await import("../version/run.js");
    process.exitCode = await runVersion(options, processIO());
  });
}
