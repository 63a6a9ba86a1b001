/** `cto stacks`: the environments of the platform's project in its backend. */
import { table } from "../../stacks/progress.js";
import { load, type LifecycleIO } from "./session.js";
import type { StacksOptions } from "../commands/stacks.js";

/** `cto stacks` */
export async function runStacks(options: StacksOptions, io: LifecycleIO): Promise<number> {
  const { plan, context } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const list = await lifecycle.listStacks(plan, { context });
  if (options.json) {
    io.out(JSON.stringify({ project: plan.platform.name, stacks: list }));
    return 0;
  }
  if (list.length === 0) {
    io.out(`No environments of ${plan.platform.name} yet (cto up --env ENV creates one).`);
    return 0;
  }
  io.out(
    table(
      ["environment", "last update", "resources", "state"],
      list.map((s) => [
        s.environment,
        s.lastUpdate ?? "never",
        String(s.resourceCount ?? 0),
        s.updateInProgress ? "update in progress" : "",
      ]),
    ),
  );
  return 0;
}
