/**
 * `cto rollback [--to N]`: re-apply a recorded update's plan with today's secrets (preview,
 * confirmation, apply; with `--yes` the update alone, one engine pass). Like `cto upgrade
 * --to`, it records the release it went back to in cto.yaml once it succeeded (config/release-record.ts),
 * so the next plain `cto up` does not move the environment forward again; the edit is shown first.
 * When cto.yaml cannot be edited (the release is a `${VAR}`), the rollback still runs and says
 * that cto.yaml names another release and what the next `cto up` will do.
 */
import { UserError } from "../../config/errors.js";
import type { ReleaseEdit } from "../../config/release-record.js";
import { previewConfirmApply } from "./apply.js";
import { requireConsent } from "./consent.js";
import { load, type LifecycleIO } from "./session.js";
import { editSummary, renderEdit } from "./upgrade.js";
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
  const environment = current.plan.environment;
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { versionChanges } = await import("../../stacks/history.js");
  const target = await lifecycle.rollbackPlan(current.plan, current.secrets, to, { context: current.context });
  if (target.missingSecrets.length > 0) {
    throw new UserError(
      `update ${target.record.n} used secrets that are not set now: ${target.missingSecrets.join(", ")}`,
      { hint: "set them again (cto secrets set NAME) and re-run cto rollback" },
    );
  }
  const release = target.record.release;
  const { releaseEdit, writeReleaseEdit } = await import("../../config/release-record.js");
  let edit: ReleaseEdit | undefined;
  let notRecorded: string | undefined;
  try {
    edit = await releaseEdit(current.file, current.config, environment, release, "cto rollback");
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    notRecorded = `${err.message} (${err.hint ?? ""})`;
  }
  const applied = (await lifecycle.lastApplied(current.plan, { context: current.context }))?.plan ?? current.plan;
  const changes = versionChanges(applied, target.plan);
  const staysOn =
    `cto.yaml still names release ${current.plan.release} for ${environment}: ` +
    `the next cto up moves ${environment} to ${current.plan.release} again`;
  if (options.json) {
    io.out(JSON.stringify({ kind: "rollback", to: target.record.n, release, changes }));
    if (edit) io.out(JSON.stringify({ kind: "config-edit", written: false, ...editSummary(edit) }));
    if (notRecorded) io.out(JSON.stringify({ kind: "config-not-edited", reason: notRecorded, next: staysOn }));
  } else {
    io.out(
      `Roll ${environment} back to update ${target.record.n} (${target.record.operation} of ${target.record.startedAt}, release ${release})`,
    );
    for (const c of changes.length > 0 ? changes : ["no component version changes"]) io.out(`  ${c}`);
    io.out("");
    if (edit) for (const line of renderEdit(edit)) io.out(line);
    if (notRecorded) io.err(`warning: cto rollback cannot record release ${release}: ${notRecorded}; ${staysOn}`);
  }
  let done = false;
  const record = async (): Promise<void> => {
    done = true;
    if (!edit) return;
    const written = await writeReleaseEdit(edit);
    if (options.json) io.out(JSON.stringify({ kind: "config-edit", written: true, ...editSummary(written) }));
    else
      io.out(
        `Recorded release ${release} in ${written.file} (${written.path}): commit it, so every checkout's cto up keeps ${release}. ` +
          `cto.yaml's other settings are as they were: the next cto up applies them.`,
      );
  };
  try {
    return await previewConfirmApply(
      // The same run context: the records came from this backend; only the plan is the recorded one.
      { plan: target.plan, secrets: current.secrets, context: current.context },
      options,
      io,
      {
        operation: "rollback",
        rollbackOf: target.record.n,
        question: edit
          ? `Roll ${environment} back to update ${target.record.n} (and record release ${release} in ${edit.file})?`
          : `Roll ${environment} back to update ${target.record.n}?`,
        onApplied: record,
      },
    );
  } catch (err) {
    if (edit && !done && !options.json) {
      io.err(
        `${edit.file} was not changed: ${edit.path} still ${edit.previous === undefined ? "unset" : `says ${edit.previous}`}.`,
      );
    }
    throw err;
  }
}
