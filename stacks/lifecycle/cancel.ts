/** `cancel`: clear the lock of an environment's stack. */
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { describeLocks, listLocks, type LockInfo } from "../lock.js";
import { contextFor } from "../run-context.js";
import { noProgram, openExplained } from "./engine-run.js";
import type { LifecycleOptions } from "./types.js";

/**
 * Clear the lock of an environment's stack (call only after the user confirmed the holder is gone).
 * The engine does it (`pulumi cancel`): it removes the lock files of file and object-storage
 * backends and cancels the running update on the Pulumi service. Returns the holders it cleared
 * (known for file backends).
 */
export async function cancel(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions = {},
): Promise<{ removed: LockInfo[]; message: string }> {
  const context = contextFor(plan, options);
  const cs = await openExplained(plan, secrets, { context, program: noProgram, create: false });
  const held = await listLocks(cs.backend, cs.project, cs.name);
  if (cs.backend.kind === "file" && held.length === 0) {
    return { removed: [], message: `stack ${plan.environment} is not locked` };
  }
  await cs.stack.cancel();
  return {
    removed: held,
    message:
      held.length > 0 ? `cleared the lock of ${describeLocks(held)}` : `cancelled the update of ${plan.environment}`,
  };
}
