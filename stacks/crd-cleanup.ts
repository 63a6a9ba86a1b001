/**
 * The CRD part of `cto destroy`, around the engine's destroy (see `crds.ts` for which CRDs):
 * `beforeDestroy` records the `crds/` CRDs of the plan's releases while their release records
 * still exist, merged with what an interrupted destroy recorded (`crd-ledger.ts`); `afterDestroy`
 * deletes them and the annotated ones, and forgets the record once they are gone.
 */
import { existsSync } from "node:fs";
import type { Plan } from "../profiles/plan.js";
import type { ReleaseCrds } from "./chart-crds.js";
import { crdLedgerFile, mergeReleaseCrds, readCrdLedger, removeCrdLedger, writeCrdLedger } from "./crd-ledger.js";
import { cleansCrds, collectChartCrds, deletePlatformCrds, type CrdCleanup } from "./crds.js";

/** Where the stack's pending CRD names are kept under cto's home. */
export function planCrdLedger(plan: Plan, home: string): string {
  return crdLedgerFile(home, plan.platform.name, plan.environment);
}

/**
 * Records the `crds/` CRDs of the plan's releases before they are uninstalled and returns every
 * recorded entry. The record is written even when empty: it marks a destroy in progress, so a
 * destroy interrupted after the engine finished still deletes the CRDs next time. Never throws;
 * `note` receives what went wrong (for the log).
 */
export async function beforeDestroy(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  ledger: string,
  note: (line: string) => void,
): Promise<ReleaseCrds[]> {
  if (!cleansCrds(plan)) return [];
  let earlier: ReleaseCrds[] = [];
  try {
    earlier = await readCrdLedger(ledger);
  } catch (e) {
    note(`the CRDs recorded by an earlier destroy could not be read: ${(e as Error).message}`);
  }
  const collected = await collectChartCrds(plan, env);
  if (collected.error) note(`the charts' crds/ CRDs could not be read from the release records: ${collected.error}`);
  const recorded = mergeReleaseCrds(earlier, collected.releases);
  try {
    await writeCrdLedger(ledger, recorded);
  } catch (e) {
    note(`the charts' crds/ CRDs could not be recorded in ${ledger}: ${(e as Error).message}`);
  }
  return recorded;
}

/**
 * After the engine's destroy: deletes the plan's CRDs (unless `keep`), then removes the record
 * when nothing is left to do. Never throws.
 */
export async function afterDestroy(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  ledger: string,
  recorded: ReleaseCrds[],
  keep: boolean,
): Promise<CrdCleanup> {
  const crds = keep ? { deleted: [] } : await deletePlatformCrds(plan, env, recorded);
  if (!crds.error) await removeCrdLedger(ledger).catch(() => undefined);
  return crds;
}

/**
 * A destroy that found the stack already empty: when an earlier destroy recorded CRDs and was
 * interrupted before deleting them, deletes them now; `undefined` when there was nothing recorded.
 */
export async function finishInterruptedCrdCleanup(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  ledger: string,
  keep: boolean,
): Promise<CrdCleanup | undefined> {
  if (!cleansCrds(plan) || !existsSync(ledger)) return undefined;
  let recorded: ReleaseCrds[];
  try {
    recorded = await readCrdLedger(ledger);
  } catch (e) {
    return { deleted: [], error: (e as Error).message };
  }
  return afterDestroy(plan, env, ledger, recorded, keep);
}
