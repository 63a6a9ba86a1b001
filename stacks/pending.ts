/**
 * Recovery from a run that was killed (SIGKILL, a crash, a closed laptop) while the engine was
 * changing resources. The engine then leaves *pending operations* in the state: creates whose
 * outcome it never heard about (updates and deletes it drops by itself on the next run). A plain
 * `pulumi up` keeps pending creates and creates those resources again, which fails for a Helm
 * release that did get (partly) installed: "cannot re-use a name that is still in use" — so the
 * environment could not be repaired without hand work.
 *
 * Before the next `cto up` or `cto destroy`, when the state holds pending operations and no one
 * holds the stack's lock (a live run's in-flight operations look the same), cto:
 * 1. removes the Helm release records of a release whose *creation* was interrupted (the state
 *    never recorded it, so the next run installs it again), and the records left in a pending
 *    state (pending-install, -upgrade, -rollback) by an interrupted *update*, which Helm would
 *    otherwise refuse to touch. The objects the release created stay: they carry the release's
 *    ownership annotations, so the next install adopts them and the next upgrade updates them;
 * 2. refreshes with `--clear-pending-creates`: the other pending creates are Kubernetes objects
 *    (created again by a server-side apply, which takes over an existing object), providers and
 *    dynamic resources, whose creation is repeatable.
 * (`--import-pending-creates` of this engine only relabels the operation, which the refresh then
 * drops: it does not read the resource into the state, so it cannot be used here.)
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CtoStack } from "./workspace.js";

/** One pending operation as the engine writes it into the state. */
export interface PendingOperation {
  type: string;
  resource: {
    urn: string;
    type: string;
    custom?: boolean;
    inputs?: Record<string, unknown>;
  };
}

/** A Helm release named by a pending operation. */
export interface PendingRelease {
  namespace: string;
  name: string;
  /** Its creation was interrupted (not in the state): every record goes, not only pending ones. */
  created: boolean;
}

const HELM_RELEASE = /^kubernetes:helm\.sh\/v\d+:Release$/;

/** Helm statuses of a release whose operation never finished. */
export const PENDING_HELM_STATUSES = ["pending-install", "pending-upgrade", "pending-rollback"] as const;

const plainString = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Helm releases that pending operations were creating or changing (name and namespace known). */
export function pendingReleases(ops: readonly PendingOperation[]): PendingRelease[] {
  const out = new Map<string, PendingRelease>();
  for (const op of ops) {
    if (!HELM_RELEASE.test(op.resource.type)) continue;
    const name = plainString(op.resource.inputs?.name);
    const namespace = plainString(op.resource.inputs?.namespace);
    if (!name || !namespace) continue;
    const key = `${namespace}/${name}`;
    const created = op.type === "creating" || Boolean(out.get(key)?.created);
    out.set(key, { namespace, name, created });
  }
  return [...out.values()];
}

/** The `pulumi refresh` arguments that settle the pending operations (creates are cleared). */
export function refreshArgs(stack: string, ops: readonly PendingOperation[]): string[] {
  const args = ["refresh", "--yes", "--skip-preview", "--stack", stack];
  if (ops.some((op) => op.type === "creating")) args.push("--clear-pending-creates");
  return args;
}

/**
 * The stack's pending operations. A file backend's checkpoint is read directly (no engine
 * process, so an ordinary `cto up` pays nothing); other backends are asked through `stack export`.
 */
export async function readPendingOperations(cs: CtoStack): Promise<PendingOperation[]> {
  if (cs.backend.dir) {
    const file = path.join(cs.backend.dir, ".pulumi", "stacks", cs.project, `${cs.name}.json`);
    if (existsSync(file)) {
      const text = await readFile(file, "utf8");
      if (text.trim() === "") return [];
      const state = JSON.parse(text) as { checkpoint?: { latest?: { pending_operations?: PendingOperation[] } } };
      return state.checkpoint?.latest?.pending_operations ?? [];
    }
    if (!existsSync(`${file}.gz`)) return [];
  }
  const exported = await cs.stack.exportStack();
  const deployment = exported.deployment as { pending_operations?: PendingOperation[] } | undefined;
  return deployment?.pending_operations ?? [];
}

/**
 * `kubectl delete secret` arguments removing a release's Helm records (Helm's default storage):
 * all of them for an interrupted creation, those in a pending state for an interrupted update.
 */
export function releaseRecordsDeleteArgs(release: PendingRelease): string[] {
  const selector = release.created
    ? `owner=helm,name=${release.name}`
    : `owner=helm,name=${release.name},status in (${PENDING_HELM_STATUSES.join(",")})`;
  return ["delete", "secret", "--namespace", release.namespace, "--ignore-not-found", "-l", selector];
}
