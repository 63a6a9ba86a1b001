/**
 * The work behind `cto backup list | create | restore` (cli/commands/backup.ts): Velero Backup and
 * Restore objects in the environment's cluster (stacks/backups.ts), created with kubectl, followed
 * until Velero reports an outcome. Exit 0 done, 1 Velero failed / not finished in time / cluster
 * refused, 2 bad input (backup off, unknown backup, no way to confirm a restore).
 */
import { UserError } from "../../config/errors.js";
import type { Plan } from "../../profiles/plan.js";
import {
  backupObject,
  backupTarget,
  failureText,
  followVeleroObject,
  getVeleroObject,
  listBackups,
  outcomeOf,
  RESTORABLE_PHASES,
  restoreObject,
  statusLine,
  type VeleroObject,
} from "../../stacks/backups.js";
import { Kubectl, type KubeError } from "../../stacks/diagnose/kubectl.js";
import { createObject } from "../../stacks/kube-create.js";
import { clusterKubeconfig } from "../../stacks/kube-target.js";
import type { CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { CreateOptions, ListOptions, RestoreOptions } from "../commands/backup.js";
import { table } from "../table.js";

export interface BackupOptions {
  file?: string;
  env?: string;
  json?: boolean;
}

export interface FollowFlags {
  wait?: boolean;
  timeout?: string;
}

/** What the commands need besides stdout: progress on stderr, a confirmation, a clock. */
export interface BackupIO extends CommandIO {
  progress: (line: string) => void;
  /** Whether a person can be asked (a terminal, not CI). */
  interactive: boolean;
  confirm: (message: string) => Promise<boolean>;
  now?: () => Date;
  /** Poll interval while following (tests shorten it). */
  pollMs?: number;
}

interface Target {
  plan: Plan;
  k: Kubectl;
  namespace: string;
}

/** The plan and Velero's namespace; a UserError saying how to turn backup on when it is off. */
async function target(options: BackupOptions, io: CommandIO): Promise<Target> {
  const { plan } = await loadPlan(options, io);
  const t = backupTarget(plan);
  if (!t) {
    throw new UserError(`backup is off in environment ${plan.environment} (profile ${plan.profile.name})`, {
      hint:
        "turn it on in cto.yaml: features.backup: true and backup.bucket (with backup.region or backup.endpoint), " +
        "then cto up; the minimal profile does not allow backup (use profile standard or production)",
    });
  }
  return { plan, k: new Kubectl(clusterKubeconfig(plan, io.env)), namespace: t.namespace };
}

/** A kubectl failure reading Velero's objects, as a UserError with a fix. */
function veleroUnreadable(t: Target, error: KubeError): UserError {
  const missing = /the server doesn't have a resource type|no matches for kind|could not find the requested resource/i;
  if (missing.test(error.message)) {
    return new UserError(`Velero is not installed in environment ${t.plan.environment}: ${error.message}`, {
      hint: `install it with cto up --env ${t.plan.environment} (backup is on in cto.yaml)`,
      exitCode: 1,
    });
  }
  return new UserError(`could not read Velero's objects in namespace ${t.namespace}: ${error.message}`, {
    hint: `cto status --env ${t.plan.environment}`,
    exitCode: 1,
  });
}

function timeoutMs(flags: FollowFlags, fallbackSeconds: number): number {
  const seconds = Number(flags.timeout ?? fallbackSeconds);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UserError(`--timeout ${flags.timeout} is not a number of seconds`, { hint: "e.g. --timeout 1800" });
  }
  return seconds * 1000;
}

/** `cto backup list`. */
export async function runBackupList(options: ListOptions, io: BackupIO): Promise<number> {
  const t = await target(options, io);
  const r = await listBackups(t.k, t.namespace);
  if (!r.ok) throw veleroUnreadable(t, r.error);
  if (options.json) {
    io.print(
      JSON.stringify(
        r.value.map((b) => ({
          name: b.metadata.name,
          origin: origin(b),
          phase: b.status?.phase ?? null,
          created: b.metadata.creationTimestamp ?? null,
          completed: b.status?.completionTimestamp ?? null,
          expires: b.status?.expiration ?? null,
          progress: b.status?.progress ?? null,
          errors: b.status?.errors ?? 0,
          warnings: b.status?.warnings ?? 0,
          includedNamespaces: b.spec.includedNamespaces ?? null,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (r.value.length === 0) {
    io.print(`No backups yet in ${t.namespace}. Make one: cto backup create --env ${t.plan.environment} --wait`);
    return 0;
  }
  io.print(
    table(
      ["NAME", "FROM", "STATUS", "CREATED", "EXPIRES"],
      r.value.map((b) => [
        b.metadata.name,
        origin(b),
        statusLine(b),
        b.metadata.creationTimestamp ?? "-",
        b.status?.expiration ?? "-",
      ]),
    ),
  );
  return 0;
}

/** `manual` (cto backup create), `schedule <name>`, or `other`. */
function origin(b: VeleroObject): string {
  const labels = b.metadata.labels ?? {};
  if (labels["cto.dev/backup"] === "manual") return "manual";
  const schedule = labels["velero.io/schedule-name"];
  return schedule ? `schedule ${schedule}` : "other";
}

/** `cto backup create [--wait]`. */
export async function runBackupCreate(options: CreateOptions, io: BackupIO): Promise<number> {
  const limit = timeoutMs(options, 3600);
  const t = await target(options, io);
  const object = backupObject(t.plan, (io.now ?? (() => new Date()))(), options.name);
  const created = await createObject(t.k, object);
  if (!created.ok) throw refused(t, "backup", created.message);
  const scope = (object.spec.includedNamespaces as string[]).join(", ");
  if (!options.json) io.print(`Created backup ${created.name} in ${t.namespace} (namespaces ${scope}).`);
  if (!options.wait) {
    if (options.json) io.print(JSON.stringify({ name: created.name, namespace: t.namespace, phase: null }));
    else io.print(`Follow it: cto backup list --env ${t.plan.environment}`);
    return 0;
  }
  return follow(t, "Backup", created.name, limit, options, io);
}

/** `cto backup restore NAME [--namespace NS]…`. */
export async function runBackupRestore(name: string, options: RestoreOptions, io: BackupIO): Promise<number> {
  const limit = timeoutMs(options, 3600);
  const namespaces = [...new Set((options.namespace ?? []).flatMap((n) => n.split(",")).map((n) => n.trim()))].filter(
    Boolean,
  );
  if (!options.yes && !io.interactive) {
    throw new UserError(`restoring backup ${name} changes the cluster and there is no terminal to confirm on`, {
      hint: "add --yes to confirm in advance (cto never prompts without a terminal or with CI=true)",
    });
  }
  const t = await target(options, io);
  const got = await getVeleroObject(t.k, "Backup", t.namespace, name);
  if (!got.ok) {
    if (got.error.kind !== "not-found") throw veleroUnreadable(t, got.error);
    const list = await listBackups(t.k, t.namespace);
    const names = list.ok ? list.value.map((b) => b.metadata.name) : [];
    throw new UserError(`there is no backup ${name} in ${t.namespace}`, {
      hint:
        names.length > 0
          ? `use one of ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""} (cto backup list)`
          : `make one first: cto backup create --env ${t.plan.environment} --wait`,
    });
  }
  const backup = got.value;
  const phase = backup.status?.phase;
  if (!(RESTORABLE_PHASES as readonly string[]).includes(phase ?? "")) {
    throw new UserError(
      `backup ${name} is ${phase ?? "not picked up by Velero yet"}: Velero restores only a backup that is ${RESTORABLE_PHASES.join(" or ")}`,
      {
        hint: `wait for it (cto backup list), or pick another backup`,
      },
    );
  }
  const inBackup = (backup.spec.includedNamespaces as string[] | undefined) ?? [];
  const outside =
    inBackup.includes("*") || inBackup.length === 0 ? [] : namespaces.filter((n) => !inBackup.includes(n));
  if (outside.length > 0) {
    throw new UserError(`backup ${name} does not contain namespace ${outside.join(", ")}`, {
      hint: `--namespace takes namespaces of the backup: ${inBackup.join(", ")}`,
    });
  }
  const scope = namespaces.length > 0 ? namespaces.join(", ") : inBackup.join(", ") || "everything in it";
  if (!options.yes) {
    const when = backup.status?.completionTimestamp ?? backup.metadata.creationTimestamp ?? "unknown time";
    const ok = await io.confirm(
      `Restore backup ${name} (${when}, ${statusLine(backup)}) into ${scope}? Objects that exist are kept; missing ones are recreated.`,
    );
    if (!ok) {
      io.progress("Operation cancelled.");
      return 0;
    }
  }
  const object = restoreObject(t.plan, name, namespaces, (io.now ?? (() => new Date()))());
  const created = await createObject(t.k, object);
  if (!created.ok) throw refused(t, "restore", created.message);
  if (!options.json) io.print(`Created restore ${created.name} of backup ${name} in ${t.namespace} (${scope}).`);
  if (options.wait === false) {
    if (options.json) io.print(JSON.stringify({ name: created.name, namespace: t.namespace, phase: null }));
    else io.print(`Follow it: kubectl -n ${t.namespace} get restore ${created.name} -w`);
    return 0;
  }
  return follow(t, "Restore", created.name, limit, options, io);
}

function refused(t: Target, what: string, message: string): UserError {
  const notInstalled = /no matches for kind|could not find the requested resource|doesn't have a resource type/i;
  return new UserError(`the cluster did not accept the ${what}: ${message}`, {
    hint: notInstalled.test(message)
      ? `Velero is not installed in environment ${t.plan.environment}: cto up --env ${t.plan.environment}`
      : `cto status --env ${t.plan.environment}`,
    exitCode: 1,
  });
}

/** Follows a Backup or Restore to its outcome and reports it. */
async function follow(
  t: Target,
  kind: "Backup" | "Restore",
  name: string,
  limit: number,
  options: BackupOptions,
  io: BackupIO,
): Promise<number> {
  const noun = kind.toLowerCase();
  if (t.plan.cluster.provider === "simulated") {
    io.progress(
      `Note: ${t.plan.environment} is a simulated cluster, where no Velero runs: the ${noun} gets no status ` +
        `unless something sets it, so waiting ends at the time limit.`,
    );
  }
  io.progress(`Waiting up to ${Math.round(limit / 1000)} s for Velero to finish ${noun} ${name}…`);
  const r = await followVeleroObject(t.k, kind, t.namespace, name, {
    timeoutMs: limit,
    pollMs: io.pollMs,
    onChange: (line) => io.progress(`  ${noun} ${name}: ${line}`),
  });
  if (!r.ok) throw veleroUnreadable(t, r.error);
  const { object, timedOut } = r.value;
  const phase = object.status?.phase ?? null;
  const outcome = outcomeOf(phase ?? undefined);
  if (options.json) {
    io.print(
      JSON.stringify({
        name,
        namespace: t.namespace,
        phase,
        outcome: outcome ?? (timedOut ? "timeout" : null),
        errors: object.status?.errors ?? 0,
        warnings: object.status?.warnings ?? 0,
        failure: failureText(object) || null,
      }),
    );
  }
  const details = `velero ${noun} describe ${name} --details -n ${t.namespace} (and velero ${noun} logs ${name})`;
  if (timedOut) {
    throw new UserError(
      `${noun} ${name} did not finish within ${Math.round(limit / 1000)} s: ${statusLine(object)}. It goes on in the cluster`,
      {
        hint:
          phase === null
            ? `Velero has not picked it up: is it running? kubectl -n ${t.namespace} get deployment,pods; then cto backup list`
            : `follow it: ${kind === "Backup" ? `cto backup list --env ${t.plan.environment}` : `kubectl -n ${t.namespace} get restore ${name} -w`}`,
        exitCode: 1,
      },
    );
  }
  if (outcome === "succeeded") {
    if (!options.json) io.print(`✓ ${kind} ${name} completed: ${statusLine(object)}.`);
    return 0;
  }
  const why = failureText(object);
  throw new UserError(
    `${noun} ${name} ${outcome === "partial" ? "partially failed" : "failed"}: ${statusLine(object)}${why ? ` (${why})` : ""}`,
    { hint: `see what went wrong: ${details}`, exitCode: 1 },
  );
}
