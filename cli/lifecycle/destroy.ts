/**
 * `cto destroy`: its preview, confirmation (a production environment's name typed, or
 * `--confirm <env>` without a terminal), the engine's destroy, then the charts' CRDs.
 */
import { UserError } from "../../config/errors.js";
import { cancelled, confirm, requireConsent, typeName } from "./consent.js";
import { crdsJson, printCrdCleanup, printResult } from "./render.js";
import { load, withStackSession, type LifecycleIO } from "./session.js";
import type { DestroyOptions } from "../commands/destroy.js";

export async function runDestroy(options: DestroyOptions, io: LifecycleIO): Promise<number> {
  requireConsent(options, io, "cto destroy");
  const { plan, secrets, context } = await load(options, io);
  const env = plan.environment;
  if (plan.production && !io.interactive && options.confirm !== env) {
    throw new UserError(`${env} is a production environment: destroying it without a terminal needs its name`, {
      hint: `cto destroy --env ${env} --yes --confirm ${env}`,
    });
  }
  const json = Boolean(options.json);
  return withStackSession(io, { environment: env, context }, json, async (opts, lifecycle) => {
    const pv = await lifecycle.previewDestroy(plan, secrets, { ...opts, onProgress: undefined });
    if (json) io.out(JSON.stringify({ kind: "preview", environment: env, changes: pv.changes, total: pv.total }));
    else io.out(`Destroy ${env}: ${pv.total} resource(s) will be deleted (the stack and its history are kept).`);
    if (pv.total === 0) {
      // An earlier destroy may have been interrupted after the engine's part, before the CRDs went.
      const crds = await lifecycle.finishInterruptedDestroy(plan, { context, keepCrds: Boolean(options.keepCrds) });
      if (json)
        io.out(
          JSON.stringify({
            kind: "result",
            operation: "destroy",
            environment: env,
            changes: {},
            noChanges: true,
            ...(crds ? crdsJson(crds) : {}),
          }),
        );
      else io.out(`Nothing to destroy: ${env} is empty.`);
      if (crds) printCrdCleanup(crds, io, json);
      return 0;
    }
    if (plan.production && io.interactive && options.confirm !== env) {
      if (!(await typeName(env))) return cancelled(io);
    } else if (!options.yes && !(await confirm(`Delete everything in ${env}?`))) {
      return cancelled(io);
    }
    const result = await lifecycle.destroy(plan, secrets, { ...opts, keepCrds: Boolean(options.keepCrds) });
    printResult(result, io, json);
    if (result.crds) printCrdCleanup(result.crds, io, json);
    return 0;
  });
}
