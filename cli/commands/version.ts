/**
 * `cto version`: cto's version, the pinned Pulumi CLI and SDKs, and which chart version each
 * platform release installs per component (from profiles/versions.yaml).
 */
import type { Command } from "@commander-js/extra-typings";
import { examples, jsonOption, processIO } from "../context.js";

export function register(program: Command): void {
  const cmd = program
    .command("version")
    .description("cto's version, the pinned Pulumi versions, and the component versions of each platform release");
  jsonOption(cmd);
  examples(cmd, ["cto version", "cto version --json"]);
  cmd.action(async (options: { json?: boolean }) => {
    const { runVersion } = await import("../version/run.js");
    process.exitCode = await runVersion(options, processIO());
  });
}
