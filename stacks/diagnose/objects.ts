/**
 * The few fields of Kubernetes objects that diagnosis reads (kubectl's JSON), and how each kind
 * says "ready".
 */

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface OwnerReference {
  kind: string;
  name: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    creationTimestamp?: string;
  };
  spec?: Record<string, unknown> & {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    volumes?: { persistentVolumeClaim?: { claimName: string } }[];
    storageClassName?: string;
    completions?: number;
  };
  status?: Record<string, unknown> & { conditions?: Condition[]; phase?: string };
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject: { kind?: string; name?: string; namespace?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  series?: { lastObservedTime?: string; count?: number } | null;
  metadata?: { creationTimestamp?: string };
}

/** The most recent time an event was seen (core/v1 events fill different fields by producer). */
export function eventTime(e: KubeEvent): string {
  return (
    e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    e.metadata?.creationTimestamp ??
    ""
  );
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/** Readiness and a short state ("1/3 available", "Pending", "Synced/Healthy") per kind. */
export function readiness(kind: string, obj: KubeObject): { ready: boolean; state: string } {
  const s = obj.status ?? {};
  const cond = (type: string): Condition | undefined => s.conditions?.find((c) => c.type === type);
  const wanted = obj.spec?.replicas ?? 1;
  switch (kind) {
    case "Deployment": {
      // As `kubectl rollout status` judges it: the controller has seen the latest spec, every pod
      // runs it, no old pod is left and all are available. A rollout whose new pod cannot start
      // keeps the old pod available, so "available" alone would call it healthy.
      const generation = (obj.metadata as { generation?: number }).generation;
      const observed = generation === undefined || num(s.observedGeneration) >= generation;
      const updated = num(s.updatedReplicas);
      const rolledOut = observed && updated >= wanted && num(s.replicas) <= updated;
      const available = num(s.availableReplicas) >= wanted && num(s.unavailableReplicas) === 0;
      const state = `${num(s.availableReplicas)}/${wanted} available`;
      return {
        ready: rolledOut && available,
        state: rolledOut
          ? state
          : `${state}, rollout stuck or in progress (${updated} of ${num(s.replicas)} pods updated)`,
      };
    }
    case "StatefulSet":
    case "ReplicaSet":
      return { ready: num(s.readyReplicas) >= wanted, state: `${num(s.readyReplicas)}/${wanted} ready` };
    case "DaemonSet": {
      const desired = num(s.desiredNumberScheduled);
      return { ready: num(s.numberAvailable) >= desired, state: `${num(s.numberAvailable)}/${desired} available` };
    }
    case "Pod": {
      const phase = s.phase ?? "Unknown";
      return { ready: phase === "Succeeded" || cond("Ready")?.status === "True", state: phase };
    }
    case "Job": {
      const failed = cond("Failed")?.status === "True";
      const done = cond("Complete")?.status === "True";
      return {
        ready: done,
        state: failed ? "Failed" : done ? "Complete" : `${num(s.succeeded)}/${obj.spec?.completions ?? 1} succeeded`,
      };
    }
    case "PersistentVolumeClaim":
      return { ready: s.phase === "Bound", state: s.phase ?? "Unknown" };
    case "CustomResourceDefinition":
      return {
        ready: cond("Established")?.status === "True",
        state: cond("Established")?.status === "True" ? "Established" : "not established",
      };
    case "Application": {
      const sync = (s.sync as { status?: string } | undefined)?.status ?? "Unknown";
      const health = (s.health as { status?: string } | undefined)?.status ?? "Unknown";
      return { ready: sync === "Synced" && health === "Healthy", state: `${sync}/${health}` };
    }
    case "Namespace":
      return { ready: s.phase === "Active", state: s.phase ?? "Unknown" };
    default: {
      const c = cond("Ready") ?? cond("Available");
      return { ready: c ? c.status === "True" : true, state: c ? `${c.type}=${c.status}` : "no Ready condition" };
    }
  }
}
