/** `cto pulumi`: load the plan, then hand the terminal to the Pulumi CLI on its stack. */
import type { PulumiOptions } from "../commands/pulumi.js";
import { load, type LifecycleIO } from "./session.js";

export async function runPulumiCommand(args: string[], options: PulumiOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets, context } = await load(options, io);
  const { runPulumi } = await import("../../stacks/lifecycle/index.js");
  return runPulumi(plan, secrets, args, {
    context,
    onStart: ({ workDir, project, stack }) =>
      io.err(`cto: pulumi ${args.join(" ")}  (stack ${project}/${stack}, in ${workDir})`),
  });
}
