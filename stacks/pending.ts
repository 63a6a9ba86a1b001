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
 * 2. deletes the Kubernetes objects the killed run *created* (its field manager's apply made them)
 *    and the state never recorded, so the next run creates them afresh. Applying them again under
 *    the next run's field manager is not enough: the dead manager keeps co-owning every field, so
 *    a field whose stored value differs from the applied one conflicts — at once where the server
 *    filled in a default inside an atomic struct (a Deployment env `fieldRef` gets
 *    `apiVersion: v1`), and on every later change of any field. Namespaces and CRDs are never
 *    deleted (their deletion takes everything in them along); nor is an object that existed
 *    before the dead run adopted it;
 * 3. refreshes with `--clear-pending-creates`: the other pending creates are providers and dynamic
 *    resources, whose creation is repeatable.
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

/** A plain Kubernetes object (not a Helm release, not a Patch) whose creation a killed run started. */
export interface PendingObject {
  /** `kubectl` resource argument: `Kind.version.group`, or the kind alone for the core group. */
  resource: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** `kubernetes:apps/v1:Deployment` and the like; the Helm release and Patch types are not objects. */
const KUBERNETES_OBJECT = /^kubernetes:([a-z0-9.-]+)\/([a-z0-9]+):([A-Za-z0-9]+)$/;

/** Kinds whose deletion deletes what they hold: never deleted to recover from a killed run. */
const CASCADING_KINDS = new Set(["Namespace", "CustomResourceDefinition"]);

/** The Kubernetes objects that pending creates name (name known), other than cascading kinds. */
export function pendingObjects(ops: readonly PendingOperation[]): PendingObject[] {
  const out: PendingObject[] = [];
  for (const op of ops) {
    if (op.type !== "creating") continue;
    const m = KUBERNETES_OBJECT.exec(op.resource.type);
    if (!m || HELM_RELEASE.test(op.resource.type)) continue;
    const [, group, version, kind] = m as unknown as [string, string, string, string];
    if (kind.endsWith("Patch") || kind.endsWith("List") || CASCADING_KINDS.has(kind)) continue;
    const meta = op.resource.inputs?.metadata as Record<string, unknown> | undefined;
    const name = plainString(meta?.name);
    if (!name) continue;
    const namespace = plainString(meta?.namespace);
    out.push({
      resource: group === "core" ? kind : `${kind}.${version}.${group}`,
      kind,
      name,
      ...(namespace ? { namespace } : {}),
    });
  }
  return out;
}

/** The fields of a live object that tell who created it. */
export interface LiveObjectMeta {
  metadata?: {
    creationTimestamp?: string;
    deletionTimestamp?: string;
    managedFields?: { manager?: string; operation?: string; time?: string; subresource?: string }[];
  };
}

/**
 * Whether a run of the kubernetes provider created this object: one of its field managers
 * (`pulumi-kubernetes-<random>`, one per resource) applied it at the moment of its creation. An
 * object that existed before and was adopted by an apply fails this test.
 */
export function createdByProviderApply(live: LiveObjectMeta): boolean {
  const created = live.metadata?.creationTimestamp;
  if (!created || live.metadata?.deletionTimestamp) return false;
  return (live.metadata?.managedFields ?? []).some(
    (f) =>
      /^pulumi-kubernetes-/.test(f.manager ?? "") &&
      f.operation === "Apply" &&
      !f.subresource &&
      // Both stamps are whole seconds taken during the one request that created the object.
      Math.abs(Date.parse(f.time ?? "") - Date.parse(created)) <= 1000,
  );
}

/** `kubectl` arguments reading / deleting one pending object. */
export function pendingObjectArgs(verb: "get" | "delete", o: PendingObject): string[] {
  const args = [verb, o.resource, o.name, ...(o.namespace ? ["--namespace", o.namespace] : [])];
  return verb === "get"
    ? [...args, "--ignore-not-found", "--show-managed-fields", "-o", "json"]
    : [...args, "--ignore-not-found", "--wait=true", "--timeout=25s"];
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
