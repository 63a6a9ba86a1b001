/**
 * A `cto up` that knows, without starting the engine, that nothing changed: the fingerprint of the
 * program's inputs (`../fingerprint.ts`) equals the one recorded by the last update, and the state
 * is byte for byte the one that update left. Like `pulumi up` without `--refresh`, this compares
 * with the recorded state, not the live cluster.
 *
 * Any doubt takes the normal path, with the reason: no stack or no record yet, a backend other than
 * `file://` (its state cannot be read without the engine), a lock, pending operations, any later
 * entry (refresh, destroy, a failed update), a state that changed since (a `pulumi state` edit, an
 * import), another cto version, secrets that cannot be compared (no passphrase), or any input that
 * differs.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { readClusterInputs, type ClusterInputsHost } from "../cluster-inputs.js";
import { fingerprint, programCodeHash } from "../fingerprint.js";
import { programVersion } from "../history.js";
import { describeLocks, listLocks } from "../lock.js";
import { passphraseValue, resolvePassphrase } from "../passphrase.js";
import { CONFIG_KEYS, type ProgramRuntime } from "../program-config.js";
import { contextFor } from "../run-context.js";
import { readStackConfigFile, SECRETS_DIGEST_KEY, secretsDigest } from "../secrets-config.js";
import { latestCheckpointCopy, readHistoryFiles, updateMeta, type UpdateMeta } from "../shared-history.js";
import { workDirFor } from "../workspace.js";
import { programRuntime } from "./prepare-program.js";
import type { LifecycleOptions } from "./types.js";

export type FastPathResult =
  { fast: true; n: number; meta: UpdateMeta; finishedAt?: string } | { fast: false; reason: string };

/** The fingerprint of a run with this plan and config (config as it will be written). */
export async function runFingerprint(
  plan: Plan,
  config: Record<string, unknown>,
  runtime: ProgramRuntime,
  context: ClusterInputsHost,
): Promise<string> {
  const [ctoVersion, programHash] = await Promise.all([programVersion(), programCodeHash()]);
  return fingerprintOfRun({ plan, config, runtime, context, ctoVersion, programHash });
}

/** `runFingerprint` with cto's version and the program hash already known. */
export function fingerprintOfRun(input: {
  plan: Plan;
  config: Record<string, unknown>;
  runtime: ProgramRuntime;
  /** The run's environment, cto's home and toolchain bin (the cluster's host-side inputs). */
  context: ClusterInputsHost;
  ctoVersion: string;
  programHash: string;
}): string {
  const { plan, config, runtime, context, ctoVersion, programHash } = input;
  let cluster: unknown;
  try {
    cluster = readClusterInputs(plan, runtime, context);
  } catch (err) {
    cluster = { unreadable: (err as Error).message }; // the program fails the same way; never equal to a good run
  }
  return fingerprint({ plan, ctoVersion, programHash, config, cluster });
}

const slow = (reason: string): FastPathResult => ({ fast: false, reason });

/** Whether `cto up` of this plan has nothing to do (see the file comment); never starts the engine. */
export async function noChangesSince(
  plan: Plan,
  secrets: PlanSecrets,
  options: Pick<LifecycleOptions, "context" | "env" | "home" | "runtime" | "programFor"> = {},
): Promise<FastPathResult> {
  const context = contextFor(plan, options);
  const { env, home, backend } = context;
  if (!backend.dir) return slow(`the state in ${backend.kind} backends is read through the engine`);
  const project = plan.platform.name;
  const stack = plan.environment;
  const checkpointFile = path.join(backend.dir, ".pulumi", "stacks", project, `${stack}.json`);
  const checkpoint = await readFile(checkpointFile).catch(() => undefined);
  if (!checkpoint) return slow("no stack state yet");
  const held = await listLocks(backend, project, stack);
  if (held.length > 0) return slow(`the stack is locked by ${describeLocks(held)}`);
  const state = JSON.parse(checkpoint.toString("utf8")) as {
    checkpoint?: { latest?: { pending_operations?: unknown[] } };
  };
  if ((state.checkpoint?.latest?.pending_operations ?? []).length > 0) {
    return slow("the state holds pending operations of an interrupted run");
  }

  const [latest] = await readHistoryFiles(backend.dir, project, stack, { last: 1 });
  if (!latest) return slow("no update recorded yet");
  const meta = updateMeta(latest);
  if (latest.kind !== "update" || latest.result !== "succeeded") {
    return slow(`the last entry of the history is a ${latest.result} ${latest.kind}`);
  }
  if (!meta?.fingerprint) return slow(`update ${latest.version} was made by a cto that recorded no fingerprint`);
  const ctoVersion = await programVersion();
  if (meta.ctoVersion !== ctoVersion) {
    return slow(`update ${latest.version} was made by cto ${meta.ctoVersion}, this is cto ${ctoVersion}`);
  }
  // The state as that update left it: the engine keeps a copy next to the history entry.
  const copied = await latestCheckpointCopy(backend.dir, project, stack);
  if (!copied || !copied.equals(checkpoint)) return slow(`the state changed since update ${latest.version}`);

  const stored = await readStackConfigFile({ workDir: workDirFor(home, project, backend), name: stack });
  const config: Record<string, unknown> = { ...(stored.config ?? {}) };
  if (config[CONFIG_KEYS.secrets] === undefined) return slow("this workspace has no stack config yet");
  if (plan.state.secretsProvider !== "passphrase" || !stored.encryptionsalt) {
    return slow("secrets are compared by a digest keyed with the passphrase, and there is none");
  }
  const passphrase = await resolvePassphrase({ env, file: context.passphraseFile, create: false }).catch(
    () => undefined,
  );
  if (!passphrase) return slow("no passphrase to compare the secrets with");
  const digest = secretsDigest(secrets, await passphraseValue(passphrase), stored.encryptionsalt);
  if (config[SECRETS_DIGEST_KEY] !== digest) return slow("the secrets changed");
  const runtime = programRuntime(options, env);
  config[CONFIG_KEYS.plan] = JSON.stringify(plan);
  config[CONFIG_KEYS.runtime] = JSON.stringify(runtime);
  const now = await runFingerprint(plan, config, runtime, context);
  if (now !== meta.fingerprint) return slow(`the program's inputs differ from update ${latest.version}'s`);
  return {
    fast: true,
    n: latest.version,
    meta,
    ...(latest.endTime ? { finishedAt: new Date(latest.endTime * 1000).toISOString() } : {}),
  };
}
