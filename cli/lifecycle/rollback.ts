/** `cto rollback [--to N]`: re-apply a recorded update's plan with today's secrets. */
import { UserError } from "../../config/errors.js";
import { previewConfirmApply } from "./apply.js";
import { requireConsent } from "./consent.js";
import { load, type LifecycleIO } from "./session.js";
import type { RollbackOptions } from "../commands/rollback.js";

/** `cto rollback [--to N]` */
export async function runRollback(options: RollbackOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto rollback");
  const current = await load(options, io);
  const to = options.to === undefined ? undefined : Number(options.to);
  if (to !== undefined && (!Number.isInteger(to) || to < 1)) {
    throw new UserError(`--to ${options.to}: expected an update number from cto history`, {
      hint: `cto history --env ${current.plan.environment}`,
    });
  }
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { versionChanges } = await import("../../stacks/history.js");
  const target = await lifecycle.rollbackPlan(current.plan, current.secrets, to, { env: io.env });
  if (target.missingSecrets.length > 0) {
    throw new UserError(
      `update ${target.record.n} used secrets that are not set now: ${target.missingSecrets.join(", ")}`,
      { hint: "set them again (cto secrets set NAME) and re-run cto rollback" },
    );
  }
  const applied = (await lifecycle.lastApplied(current.plan, { env: io.env }))?.plan ?? current.plan;
  const changes = versionChanges(applied, target.plan);
  if (options.json) io.out(JSON.stringify({ kind: "rollback", to: target.record.n, changes }));
  else {
    io.out(
      `Roll ${current.plan.environment} back to update ${target.record.n} (${target.record.operation} of ${target.record.startedAt}, release ${target.record.release})`,
    );
    for (const c of changes.length > 0 ? changes : ["no component version changes"]) io.out(`  ${c}`);
    io.out("");
  }
  return previewConfirmApply({ plan: target.plan, secrets: current.secrets }, options, io, {
    operation: "rollback",
    rollbackOf: target.record.n,
    question: `Roll ${current.plan.environment} back to update ${target.record.n}?`,
  });
}
