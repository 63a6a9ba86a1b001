/** `cto refresh`: read the cluster and bring the state in line (`--clear-pending` after a crash). */
import { printResult } from "./render.js";
import { load, withStackSession, type LifecycleIO } from "./session.js";
import type { RefreshOptions } from "../commands/refresh.js";

export async function runRefresh(options: RefreshOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets, context } = await load(options, io);
  const json = Boolean(options.json);
  return withStackSession(io, { environment: plan.environment, context }, json, async (opts, lifecycle) => {
    const result = await lifecycle.refresh(plan, secrets, { ...opts, clearPending: options.clearPending });
    printResult(result, io, json);
    return 0;
  });
}
