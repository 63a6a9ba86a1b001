/** `cto cancel`: clear a stale lock, after saying who held it and asking. */
import { UserError } from "../../config/errors.js";
import { cancelled, confirm } from "./consent.js";
import { load, type LifecycleIO } from "./session.js";
import type { CancelOptions } from "../commands/cancel.js";

/** `cto cancel`: clear a stale lock (only after confirmation). */
export async function runCancel(options: CancelOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets, context } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { describeLock } = await import("../../stacks/lock.js");
  const held = await lifecycle.locks(plan, { context });
  const fileBackend = context.backend.kind === "file";
  if (fileBackend && held.length === 0) {
    if (options.json) io.out(JSON.stringify({ environment: plan.environment, locked: false, removed: [] }));
    else io.out(`${plan.environment} is not locked.`);
    return 0;
  }
  for (const l of held) io.err(`${plan.environment} is locked by ${describeLock(l)}`);
  if (held.some((l) => l.alive === true) && !options.force) {
    throw new UserError(`the run holding the lock of ${plan.environment} is still going`, {
      hint: "wait for it to finish; clearing a live lock lets two updates corrupt the state (--force overrides)",
      exitCode: 1,
    });
  }
  if (!options.yes) {
    if (!io.interactive) {
      throw new UserError("clearing a lock needs confirmation and there is no terminal to ask on", {
        hint: `cto cancel --env ${plan.environment} --yes`,
      });
    }
    if (!(await confirm(`Clear the lock of ${plan.environment}? Only do this when that run is gone.`))) {
      return cancelled(io);
    }
  }
  const result = await lifecycle.cancel(plan, secrets, { context });
  if (options.json) io.out(JSON.stringify({ environment: plan.environment, locked: false, removed: result.removed }));
  else {
    io.out(result.message);
    io.out(`Next: cto up --env ${plan.environment} (it finishes what the interrupted run left pending)`);
  }
  return 0;
}
