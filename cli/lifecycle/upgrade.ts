/** `cto upgrade [--to RELEASE]`: the version changes, then preview, confirmation, apply. */
import { UserError } from "../../config/errors.js";
import { previewConfirmApply } from "./apply.js";
import { requireConsent } from "./consent.js";
import { load, type LifecycleCommandOptions, type LifecycleIO } from "./session.js";

/** `cto upgrade [--to RELEASE]` */
export async function runUpgrade(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
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
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { versionChanges } = await import("../../stacks/history.js");
  const applied = (await lifecycle.lastApplied(current.plan, { env: io.env }))?.plan ?? current.plan;
  const changes = versionChanges(applied, next.plan);
  if (options.json) io.out(JSON.stringify({ kind: "versions", from: applied.release, to: target, changes }));
  else {
    io.out(`Upgrade ${next.plan.environment}: release ${applied.release} → ${target}`);
    for (const c of changes.length > 0 ? changes : ["no component version changes"]) io.out(`  ${c}`);
    io.out("");
  }
  return previewConfirmApply(next, options, io, {
    operation: "upgrade",
    question: `Upgrade ${next.plan.environment} to release ${target}?`,
  });
}
