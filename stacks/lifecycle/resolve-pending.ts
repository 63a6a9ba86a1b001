/** What a killed run left pending, resolved before the next run's engine starts. */
import type { Plan } from "../../profiles/plan.js";
import { Kubectl } from "../diagnose/kubectl.js";
import { clusterKubeconfig } from "../kube-target.js";
import { listLocks } from "../lock.js";
import { stopOrphanedPlugins } from "../orphaned-plugins.js";
import {
  createdByProviderApply,
  pendingObjectArgs,
  pendingObjects,
  pendingReleases,
  readPendingOperations,
  refreshArgs,
  releaseRecordsDeleteArgs,
  type LiveObjectMeta,
} from "../pending.js";
import { runCli } from "../workspace.js";
import type { Run } from "./engine-run.js";
import type { LifecycleOptions } from "./types.js";

/**
 * Resolves what a killed run left pending (see `pending.ts`) before this run's engine starts:
 * stops the plugin processes it left running (`orphaned-plugins.ts`), removes the Helm records of
 * the releases it left unfinished and the objects it created but never recorded, then clears its
 * pending creates with a refresh. Skipped while
 * anyone holds the stack's lock: the engine then refuses the run and names the holder (`cto cancel`
 * clears a dead one); `cto refresh --clear-pending` (`mode` "refresh") runs its refresh anyway, for
 * the engine to refuse. Before a destroy, a release whose creation was interrupted is left whole
 * (nothing of it is in the state, so destroy cannot remove it) and named, with how to remove it.
 */
export async function resolvePendingOperations(
  run: Run,
  plan: Plan,
  options: LifecycleOptions,
  mode: "up" | "destroy" | "refresh",
): Promise<void> {
  // First, so that nothing a dead run started goes on changing the cluster while this one looks.
  const stopped = await stopOrphanedPlugins(run.cs.workDir).catch(() => []);
  if (stopped.length > 0) {
    await run.log.write(
      `# stopped plugin processes a killed run left running: ${stopped.map((p) => `${p.pid} ${p.cmdline}`).join("; ")}\n`,
    );
  }
  const ops = await readPendingOperations(run.cs);
  if (ops.length === 0 && mode !== "refresh") return;
  const held = await listLocks(run.cs.backend, run.cs.project, run.cs.name).catch(() => []);
  if (held.length > 0) {
    if (mode === "refresh") await runCli(run.cs, refreshArgs(run.cs.name, ops), run.onOutput, options.signal);
    return;
  }
  const warn = (message: string): void => options.onProgress?.({ kind: "diagnostic", severity: "warning", message });
  if (ops.length > 0) {
    warn(
      `an earlier run of ${plan.environment} was interrupted with ${ops.length} operation(s) unfinished; ` +
        `reading the cluster to finish them`,
    );
  }
  const releases = pendingReleases(ops);
  const kubectl = new Kubectl(clusterKubeconfig(plan, run.cs.context.env), { requestTimeoutSeconds: 30 });
  for (const release of releases) {
    if (release.created && mode === "destroy") {
      warn(
        `Helm release ${release.namespace}/${release.name} was being installed when a run was killed and is not in ` +
          `the state, so destroy does not remove it: helm uninstall ${release.name} -n ${release.namespace}`,
      );
      continue;
    }
    const result = await kubectl.text(releaseRecordsDeleteArgs(release));
    const outcome = result.ok ? result.value.trim() || "no record" : result.error.message;
    const what = release.created ? "creation" : "update";
    await run.log.write(`# unfinished Helm release ${release.namespace}/${release.name} (${what}): ${outcome}\n`);
    if (!result.ok) {
      warn(`could not clear the unfinished Helm release ${release.namespace}/${release.name}: ${result.error.message}`);
    }
  }
  for (const object of pendingObjects(ops)) {
    const where = `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
    const read = await kubectl.text(pendingObjectArgs("get", object));
    if (!read.ok) {
      warn(`could not read ${where}, which an interrupted run was creating: ${read.error.message}`);
      continue;
    }
    // Absent (never created), or adopted (it existed before): the next run applies it as it is.
    if (read.value.trim() === "" || !createdByProviderApply(JSON.parse(read.value) as LiveObjectMeta)) continue;
    const deleted = await kubectl.text(pendingObjectArgs("delete", object));
    await run.log.write(
      `# ${where} was created by the interrupted run and is not in the state: ` +
        `${deleted.ok ? "deleted, to be created again" : `not deleted: ${deleted.error.message}`}\n`,
    );
    if (!deleted.ok) warn(`could not delete ${where} (created by an interrupted run): ${deleted.error.message}`);
  }
  await runCli(run.cs, refreshArgs(run.cs.name, ops), run.onOutput, options.signal);
}
