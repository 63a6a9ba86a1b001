/** `cto history`: the recorded updates of an environment. */
import { describeChanges, table } from "../../stacks/progress.js";
import { load, type LifecycleIO } from "./session.js";
import type { HistoryOptions } from "../commands/history.js";

/** `cto history` */
export async function runHistory(options: HistoryOptions, io: LifecycleIO): Promise<number> {
  const { plan, context } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const entries = await lifecycle.history(plan, { context });
  if (options.json) {
    io.out(JSON.stringify({ environment: plan.environment, updates: entries }));
    return 0;
  }
  if (entries.length === 0) {
    io.out(`No updates recorded for ${plan.environment} yet.`);
    return 0;
  }
  io.out(
    table(
      ["#", "operation", "result", "started", "release", "profile", "changes", "by"],
      entries.map((e) => [
        String(e.n),
        e.operation + (e.rollbackOf !== undefined ? ` to ${e.rollbackOf}` : ""),
        e.status,
        e.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
        e.release,
        e.profile,
        e.changes ? describeChanges(e.changes, "past") : "",
        e.user && e.host ? `${e.user}@${e.host}` : "",
      ]),
    ),
  );
  io.out(`cto rollback --env ${plan.environment} --to N re-applies update N.`);
  return 0;
}
