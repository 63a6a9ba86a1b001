/**
 * `cto upgrade [--to RELEASE]`: the version changes and the cto.yaml edit that records the target
 * (both from the plans), then preview, confirmation, apply (with `--yes`: the update alone, one
 * engine pass); the edit is written once the environment runs the target, so the next plain
 * `cto up` keeps it (config/release-record.ts).
 */
import { UserError } from "../../config/errors.js";
import type { ReleaseEdit } from "../../config/release-record.js";
import { previewConfirmApply } from "./apply.js";
import { requireConsent } from "./consent.js";
import { load, type LifecycleIO } from "./session.js";
import type { UpgradeOptions } from "../commands/upgrade.js";

/** `cto upgrade [--to RELEASE]` */
export async function runUpgrade(options: UpgradeOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto upgrade");
  const { loadCatalog } = await import("../../profiles/load.js");
  const catalog = await loadCatalog();
  const target = options.to ?? catalog.latestRelease;
  if (!catalog.releases[target]) {
    throw new UserError(`unknown platform release ${target}`, {
      hint: `releases in profiles/versions.yaml: ${Object.keys(catalog.releases).sort().join(", ")}`,
    });
  }
  const current = await load(options, io);
  const next = await load(options, io, target);
  const environment = next.plan.environment;
  const { releaseEdit, writeReleaseEdit } = await import("../../config/release-record.js");
  const edit = await releaseEdit(current.file, current.config, environment, target);
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { versionChanges } = await import("../../stacks/history.js");
  const from = (await lifecycle.lastApplied(current.plan, { context: current.context }))?.plan ?? current.plan;
  const changes = versionChanges(from, next.plan);
  if (options.json) {
    io.out(JSON.stringify({ kind: "versions", from: from.release, to: target, changes }));
    if (edit) io.out(JSON.stringify({ kind: "config-edit", written: false, ...editSummary(edit) }));
  } else {
    io.out(`Upgrade ${environment}: release ${from.release} → ${target}`);
    for (const c of changes.length > 0 ? changes : ["no component version changes"]) io.out(`  ${c}`);
    io.out("");
    if (edit) for (const line of renderEdit(edit)) io.out(line);
  }
  let applied = false;
  const record = async (): Promise<void> => {
    applied = true;
    if (!edit) return;
    const written = await writeReleaseEdit(edit);
    if (options.json) io.out(JSON.stringify({ kind: "config-edit", written: true, ...editSummary(written) }));
    else
      io.out(
        `Recorded release ${target} in ${written.file} (${written.path}): commit it, so every checkout's cto up keeps ${target}.`,
      );
  };
  try {
    // The plan at the target release, with the run context resolved once for this command.
    return await previewConfirmApply({ ...next, context: current.context }, options, io, {
      operation: "upgrade",
      question: edit
        ? `Upgrade ${environment} to release ${target} (and record it in ${edit.file})?`
        : `Upgrade ${environment} to release ${target}?`,
      onApplied: record,
    });
  } catch (err) {
    if (edit && !applied && !options.json) {
      io.err(
        `${edit.file} was not changed: ${edit.path} still ${edit.previous === undefined ? "unset" : `says ${edit.previous}`}. ` +
          `cto upgrade --env ${environment} --to ${target} again finishes the upgrade.`,
      );
    }
    throw err;
  }
}

export function editSummary(edit: ReleaseEdit): Record<string, unknown> {
  return {
    file: edit.file,
    path: edit.path,
    from: edit.previous ?? null,
    to: edit.release,
    line: edit.hunk.line,
    removed: edit.hunk.removed,
    added: edit.hunk.added,
  };
}

/** The cto.yaml change as diff lines, under a heading saying when it is written. */
export function renderEdit(edit: ReleaseEdit): string[] {
  const was = edit.previous === undefined ? "not set before" : `was ${edit.previous}`;
  return [
    `${edit.file}, written once the ${edit.by.slice("cto ".length)} succeeds (${edit.path}, ${was}):`,
    `  @@ line ${edit.hunk.line}`,
    ...edit.hunk.removed.map((l) => `  - ${l}`),
    ...edit.hunk.added.map((l) => `  + ${l}`),
    "",
  ];
}
