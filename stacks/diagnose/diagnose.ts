/**
 * `diagnose(kubeconfig, ref)`: why is this object not ready?
 *
 * Reads, through `kubectl --kubeconfig`: the object and its conditions; for workloads, their pods
 * (through the selector) and the volume claims those pods mount; the latest events of all of
 * them (including the ReplicaSets a Deployment creates, where admission denials show up); and the
 * last log lines of crashing containers. Then maps what it found to causes and fixes
 * (`causes.ts`). Never throws for cluster trouble: what could not be read is listed in `errors`.
 */
import { findCauses, type Cause, type Signal } from "./causes.js";
import { Kubectl, type KubectlOptions, type KubeTarget } from "./kubectl.js";
import {
  eventTime,
  readiness,
  type Condition,
  type ContainerStatus,
  type KubeEvent,
  type KubeObject,
  type PodStatus,
} from "./objects.js";

/** The object to diagnose. `kind` accepts kubectl's names and short names (deploy, sts, pvc, app). */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface DiagnoseOptions extends KubectlOptions {
  /** kubeconfig context (when `diagnose` is given a path). */
  context?: string;
  /** Events to keep, newest first. Default 8. */
  maxEvents?: number;
  /** Log lines per crashing container. Default 20. */
  logLines?: number;
}

export interface EventSummary {
  type: string;
  reason: string;
  message: string;
  /** "Pod/web-1" */
  object: string;
  count: number;
  lastSeen: string;
}

export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why a container is not running, e.g. "ImagePullBackOff (container web)". */
  waiting?: string;
}

export interface LogExcerpt {
  pod: string;
  container: string;
  previous: boolean;
  lines: string[];
}

export interface Diagnosis {
  ref: ObjectRef & { kind: string };
  found: boolean;
  ready: boolean;
  /** "0/1 available", "Pending", "OutOfSync/Degraded", "not found". */
  state: string;
  conditions: Condition[];
  events: EventSummary[];
  pods: PodSummary[];
  logs: LogExcerpt[];
  causes: Cause[];
  /** What could not be read, e.g. "events: forbidden". */
  errors: string[];
}

/** kubectl resource name and Kind for the kinds `cto` deals with. Others are passed through. */
const KINDS: Record<string, { resource: string; kind: string }> = {};
for (const [kind, resource, ...aliases] of [
  ["Pod", "pods", "pod", "po"],
  ["Deployment", "deployments.apps", "deployment", "deploy"],
  ["StatefulSet", "statefulsets.apps", "statefulset", "sts"],
  ["DaemonSet", "daemonsets.apps", "daemonset", "ds"],
  ["ReplicaSet", "replicasets.apps", "replicaset", "rs"],
  ["Job", "jobs.batch", "job"],
  ["PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", "pvc"],
  ["Service", "services", "service", "svc"],
  ["Namespace", "namespaces", "namespace", "ns"],
  ["CustomResourceDefinition", "customresourcedefinitions.apiextensions.k8s.io", "customresourcedefinition", "crd"],
  ["Application", "applications.argoproj.io", "application", "app", "applications"],
] as const) {
  for (const alias of [kind.toLowerCase(), resource, ...aliases]) KINDS[alias] = { resource, kind };
}

export function resolveKind(kind: string): { resource: string; kind: string } {
  return KINDS[kind.toLowerCase()] ?? { resource: kind, kind };
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

function containerSignals(object: string, statuses: ContainerStatus[] | undefined): Signal[] {
  const out: Signal[] = [];
  for (const c of statuses ?? []) {
    const base = { object, source: "container" as const, container: c.name, image: c.image };
    const w = c.state?.waiting;
    if (w?.reason && w.reason !== "ContainerCreating" && w.reason !== "PodInitializing") {
      out.push({ ...base, reason: w.reason, message: w.message ?? w.reason });
    }
    const t = c.state?.terminated ?? c.lastState?.terminated;
    if (t && (t.reason === "OOMKilled" || (t.exitCode ?? 0) !== 0)) {
      out.push({
        ...base,
        reason: t.reason ?? "Error",
        message: t.message ?? `exited with code ${t.exitCode ?? "?"}`,
        exitCode: t.exitCode,
      });
    }
  }
  return out;
}

function conditionSignals(object: string, kind: string, obj: KubeObject): Signal[] {
  const out: Signal[] = [];
  for (const c of obj.status?.conditions ?? []) {
    const bad =
      (c.type === "Failed" && c.status === "True") ||
      (c.type === "ReplicaFailure" && c.status === "True") ||
      (c.type === "Progressing" && c.status === "False") ||
      (kind === "CustomResourceDefinition" &&
        (c.type === "Established" || c.type === "NamesAccepted") &&
        c.status !== "True") ||
      (kind === "Application" && /Error$|Warning$/.test(c.type)) ||
      (kind === "Pod" && c.type === "PodScheduled" && c.status === "False");
    if (bad)
      out.push({
        object,
        source: "condition",
        reason: kind === "CustomResourceDefinition" || kind === "Application" ? c.type : (c.reason ?? c.type),
        message: c.message ?? "",
      });
  }
  if (kind === "Application") {
    const s = obj.status ?? {};
    const sync = (s.sync as { status?: string } | undefined)?.status;
    const health = s.health as { status?: string; message?: string } | undefined;
    const op = s.operationState as { phase?: string; message?: string } | undefined;
    if (health?.status === "Degraded" || health?.status === "Missing") {
      out.push({
        object,
        source: "status",
        reason: health.status,
        message: health.message ?? `health ${health.status}`,
      });
    }
    if (op && (op.phase === "Failed" || op.phase === "Error"))
      out.push({ object, source: "status", reason: "SyncError", message: op.message ?? "sync failed" });
    if (sync === "OutOfSync" && out.length === 0)
      out.push({
        object,
        source: "status",
        reason: "OutOfSync",
        message: "the live state differs from Git and no sync has succeeded",
      });
  }
  return out;
}

/** Why `ref` is not ready: conditions, latest events, pods, logs, and the mapped causes. */
export async function diagnose(
  kubeconfig: string | KubeTarget,
  ref: ObjectRef,
  options: DiagnoseOptions = {},
): Promise<Diagnosis> {
  const target: KubeTarget =
    typeof kubeconfig === "string"
      ? { kubeconfig, ...(options.context ? { context: options.context } : {}) }
      : kubeconfig;
  const k = new Kubectl(target, options);
  const { resource, kind } = resolveKind(ref.kind);
  const nsArgs = ref.namespace ? ["-n", ref.namespace] : [];
  const objectName = `${kind}/${ref.name}`;
  const result: Diagnosis = {
    ref: { ...ref, kind },
    found: false,
    ready: false,
    state: "not found",
    conditions: [],
    events: [],
    pods: [],
    logs: [],
    causes: [],
    errors: [],
  };
  const ctx = { namespace: ref.namespace, kubectl: (args: string[]) => k.commandLine(args) };

  const got = await k.json<KubeObject>(["get", resource, ref.name, ...nsArgs, "-o", "json"]);
  if (!got.ok) {
    if (got.error.kind !== "not-found") result.errors.push(`${objectName}: ${got.error.message}`);
    result.state = got.error.kind === "not-found" ? "not found" : `unreadable (${got.error.kind})`;
    return result;
  }
  const obj = got.value;
  result.found = true;
  Object.assign(result, readiness(kind, obj));
  result.conditions = obj.status?.conditions ?? [];
  const signals: Signal[] = conditionSignals(objectName, kind, obj);

  // Pods: the object itself, or a workload's pods through its selector.
  let pods: KubeObject[] = [];
  if (kind === "Pod") pods = [obj];
  else if (WORKLOADS.has(kind) && obj.spec?.selector?.matchLabels) {
    const selector = Object.entries(obj.spec.selector.matchLabels)
      .map(([key, v]) => `${key}=${v}`)
      .join(",");
    const list = await k.json<{ items: KubeObject[] }>(["get", "pods", ...nsArgs, "-l", selector, "-o", "json"]);
    if (list.ok) pods = list.value.items;
    else result.errors.push(`pods: ${list.error.message}`);
  }
  // Not-ready pods first; at most five are examined in detail.
  const podReady = (p: KubeObject): boolean => readiness("Pod", p).ready;
  pods = [...pods].sort((a, b) => Number(podReady(a)) - Number(podReady(b))).slice(0, 5);
  const claims = new Set<string>();
  for (const p of pods) {
    const st = (p.status ?? {}) as PodStatus;
    const statuses = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];
    const waiting = statuses.find((c) => c.state?.waiting?.reason);
    result.pods.push({
      name: p.metadata.name,
      phase: st.phase ?? "Unknown",
      ready: podReady(p),
      restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
      ...(waiting ? { waiting: `${waiting.state?.waiting?.reason} (container ${waiting.name})` } : {}),
    });
    // A ready pod of a workload is not the problem, whatever its history.
    if (kind !== "Pod" && podReady(p)) continue;
    signals.push(...containerSignals(`Pod/${p.metadata.name}`, statuses));
    if (kind !== "Pod") signals.push(...conditionSignals(`Pod/${p.metadata.name}`, "Pod", p));
    for (const v of p.spec?.volumes ?? []) if (v.persistentVolumeClaim) claims.add(v.persistentVolumeClaim.claimName);
  }
  if (kind === "PersistentVolumeClaim") claims.add(ref.name);

  // Volume claims the pods wait for.
  for (const claim of claims) {
    const pvc =
      claim === ref.name && kind === "PersistentVolumeClaim"
        ? { ok: true as const, value: obj }
        : await k.json<KubeObject>(["get", "pvc", claim, ...nsArgs, "-o", "json"]);
    if (!pvc.ok) {
      if (pvc.error.kind === "not-found")
        signals.push({
          object: `PersistentVolumeClaim/${claim}`,
          source: "status",
          reason: "Missing",
          message: `persistentvolumeclaim "${claim}" not found`,
        });
      continue;
    }
    if (pvc.value.status?.phase !== "Bound") {
      const sc = pvc.value.spec?.storageClassName;
      signals.push({
        object: `PersistentVolumeClaim/${claim}`,
        source: "status",
        reason: pvc.value.status?.phase ?? "Pending",
        message: `claim is ${pvc.value.status?.phase ?? "Pending"}${sc ? ` (storageClassName ${sc})` : " and names no StorageClass (the cluster's default is used, if any)"}`,
      });
    }
  }

  // Events of the object, its pods, its claims, and a Deployment's ReplicaSets.
  const related = new Set<string>([
    objectName,
    ...pods.map((p) => `Pod/${p.metadata.name}`),
    ...[...claims].map((c) => `PersistentVolumeClaim/${c}`),
  ]);
  const isRelated = (e: KubeEvent): boolean => {
    const id = `${e.involvedObject.kind}/${e.involvedObject.name}`;
    if (related.has(id)) return true;
    return (
      kind === "Deployment" &&
      e.involvedObject.kind === "ReplicaSet" &&
      (e.involvedObject.name ?? "").startsWith(`${ref.name}-`)
    );
  };
  const evArgs = ref.namespace
    ? ["-n", ref.namespace]
    : kind === "Namespace"
      ? ["-n", ref.name]
      : ["-A", "--field-selector", `involvedObject.name=${ref.name}`];
  const events = await k.json<{ items: KubeEvent[] }>(["get", "events", ...evArgs, "-o", "json"]);
  if (events.ok) {
    // Newest first; within the same second, warnings before normal events.
    const at = (e: KubeEvent): number => Math.floor((Date.parse(eventTime(e)) || 0) / 1000);
    const mine = events.value.items
      .filter(isRelated)
      .sort((a, b) => at(b) - at(a) || Number(b.type === "Warning") - Number(a.type === "Warning"));
    for (const e of mine.filter((e) => e.type === "Warning")) {
      signals.push({
        object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
        source: "event",
        reason: e.reason ?? "",
        message: e.message ?? "",
      });
    }
    result.events = mine.slice(0, options.maxEvents ?? 8).map((e) => ({
      type: e.type ?? "Normal",
      reason: e.reason ?? "",
      message: (e.message ?? "").trim(),
      object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
      count: e.series?.count ?? e.count ?? 1,
      lastSeen: eventTime(e),
    }));
  } else result.errors.push(`events: ${events.error.message}`);

  // Last log lines of crashing containers.
  const lines = options.logLines ?? 20;
  for (const p of pods) {
    const st = (p.status ?? {}) as PodStatus;
    for (const c of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) {
      const crashed =
        c.state?.waiting?.reason === "CrashLoopBackOff" ||
        (c.lastState?.terminated?.exitCode ?? 0) !== 0 ||
        (c.state?.terminated?.exitCode ?? 0) !== 0;
      if (!crashed || result.logs.length >= 3) continue;
      const previous = (c.restartCount ?? 0) > 0;
      const args = [
        "logs",
        p.metadata.name,
        "-c",
        c.name,
        ...nsArgs,
        `--tail=${lines}`,
        ...(previous ? ["--previous"] : []),
      ];
      const log = await k.text(args);
      if (log.ok)
        result.logs.push({
          pod: p.metadata.name,
          container: c.name,
          previous,
          lines: log.value
            .split("\n")
            .filter((l) => l !== "")
            .slice(-lines),
        });
      else result.errors.push(`logs of ${p.metadata.name}/${c.name}: ${log.error.message}`);
    }
  }

  result.causes = result.ready ? [] : findCauses(signals, ctx);
  if (!result.ready && result.causes.length === 0) {
    const warning = result.events.find((e) => e.type === "Warning");
    result.causes.push({
      id: "unknown",
      title: `${objectName} is not ready (${result.state}) and no known cause matched`,
      object: warning?.object ?? objectName,
      evidence: warning ? `${warning.reason}: ${warning.message}` : "no warning events",
      fix: `Look at the details: ${k.commandLine(["describe", resource, ref.name, ...nsArgs])}`,
      occurrences: 1,
    });
  }
  return result;
}
