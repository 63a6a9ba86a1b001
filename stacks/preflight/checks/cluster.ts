/**
 * The Kubernetes cluster itself, when it exists: `existing` clusters always, the other providers
 * once `cto up` has created them (their kubeconfig file is there).
 *
 * - API reachable (`kubectl get --raw /version`);
 * - server version within the supported range (see `versions.ts`);
 * - capacity: allocatable CPU and memory of the schedulable nodes, minus what pods outside the
 *   platform's namespaces already request, against the sum of the plan's requests
 *   (`requests.ts`). Before the cluster exists the planned capacity is used where the plan fixes
 *   it (simulated node sizes, minikube's --cpus/--memory) or this machine's size for kind and k3s,
 *   whose single node gets what the machine has;
 * - a default StorageClass (critical when the plan has components with volumes).
 */
import type { Plan } from "../../../profiles/plan.js";
import { Kubectl, type KubeError } from "../../diagnose/kubectl.js";
import type { Check, CheckContext, CheckOutcome } from "../types.js";
import { formatCpu, formatGiB, parseCpu, parseMemory } from "../../../profiles/quantity.js";
import { planRequests } from "../../../profiles/requests.js";
import { SYSTEM_SHARE } from "../../../profiles/requirements.js";
import { compareVersions, KUBERNETES_MAX_TESTED_MINOR, KUBERNETES_MIN, versionString } from "../versions.js";
import { clusterKubeconfig } from "../../kube-target.js";
import { fail, isRemoteK3s, memo, ok, skip, warn } from "./common.js";

/** Which kubeconfig and context the plan's cluster is reached with (the probes' environment and home). */
export function clusterTarget(ctx: CheckContext): { kubeconfig: string; context?: string } {
  return clusterKubeconfig(ctx.plan, ctx.probes.env, ctx.probes.home);
}

type ClusterState =
  | { state: "absent"; kubeconfig: string }
  | { state: "down"; kubeconfig: string; error: KubeError }
  | { state: "up"; kubeconfig: string; version: string };

function kubectl(ctx: CheckContext): Kubectl {
  return new Kubectl(clusterTarget(ctx), { run: ctx.probes.run, requestTimeoutSeconds: 8 });
}

/** Whether the cluster exists and answers; shared by all cluster checks of one report. */
export function clusterState(ctx: CheckContext): Promise<ClusterState> {
  return memo(ctx, "cluster.state", async (): Promise<ClusterState> => {
    const { kubeconfig } = clusterTarget(ctx);
    if (!(await ctx.probes.exists(kubeconfig))) return { state: "absent", kubeconfig };
    const r = await kubectl(ctx).json<{ gitVersion?: string }>(["get", "--raw", "/version"]);
    if (!r.ok) return { state: "down", kubeconfig, error: r.error };
    return { state: "up", kubeconfig, version: r.value.gitVersion ?? "unknown" };
  });
}

/** How to bring a provider's stopped cluster back. */
function restartFix(plan: Plan, kubeconfig: string): string {
  const c = plan.cluster;
  switch (c.provider) {
    case "kind":
      return `docker start ${c.name}-control-plane   (or delete it: kind delete cluster --name ${c.name}; cto up recreates it)`;
    case "k3s":
      return isRemoteK3s(plan)
        ? `Check k3s on the first server: ssh root@${c.nodes.find((n) => n.role === "server")?.host ?? "<server>"} systemctl status k3s   (logs: journalctl -u k3s)`
        : "sudo systemctl start k3s   (logs: journalctl -u k3s)";
    case "minikube":
      return `minikube start -p ${c.name}`;
    case "simulated":
      return `kwokctl start cluster --name ${c.name}   (or cto up to recreate it)`;
    default:
      return `Check the cluster and the kubeconfig: kubectl --kubeconfig ${kubeconfig} cluster-info`;
  }
}

function errorFix(ctx: CheckContext, error: KubeError, kubeconfig: string): string {
  switch (error.kind) {
    case "kubectl-missing":
      return "Install kubectl: https://kubernetes.io/docs/tasks/tools/#kubectl";
    case "context-missing":
      return `Set cluster.context in cto.yaml to one of: kubectl --kubeconfig ${kubeconfig} config get-contexts -o name`;
    case "unauthorized":
    case "certificate":
      return `Refresh the credentials in ${kubeconfig} (they are rejected by the API server)`;
    case "forbidden":
      return "Use a kubeconfig whose user may list nodes, pods and storage classes (cluster-admin for installing)";
    default:
      return restartFix(ctx.plan, kubeconfig);
  }
}

export const apiCheck: Check = {
  id: "cluster.api",
  name: "Kubernetes API",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const s = await clusterState(ctx);
    if (s.state === "absent") {
      if (ctx.plan.cluster.provider === "existing") {
        return fail(
          `kubeconfig ${s.kubeconfig} does not exist`,
          "Set cluster.kubeconfig in cto.yaml to your cluster's kubeconfig (or export KUBECONFIG=...)",
          {
            kubeconfig: s.kubeconfig,
          },
        );
      }
      return skip(`the ${ctx.plan.cluster.provider} cluster does not exist yet: cto up creates it`, {
        kubeconfig: s.kubeconfig,
      });
    }
    if (s.state === "down") {
      return fail(`not reachable through ${s.kubeconfig}: ${s.error.message}`, errorFix(ctx, s.error, s.kubeconfig), {
        kubeconfig: s.kubeconfig,
        error: s.error.kind,
      });
    }
    return ok(`reachable, Kubernetes ${s.version}`, { kubeconfig: s.kubeconfig, version: s.version });
  },
};

export const versionCheck: Check = {
  id: "cluster.version",
  name: "Kubernetes version",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const s = await clusterState(ctx);
    if (s.state !== "up") return skip("needs a reachable cluster");
    const v = versionString(s.version);
    const range = `${KUBERNETES_MIN.replace(/\.0$/, "")} to ${KUBERNETES_MAX_TESTED_MINOR}`;
    if (!v)
      return {
        ...warn(`server reports an unrecognised version "${s.version}"`, `cto supports Kubernetes ${range}`),
        critical: false,
      };
    if (compareVersions(v, KUBERNETES_MIN) < 0) {
      return fail(
        `Kubernetes ${v} is older than ${KUBERNETES_MIN}; cto supports ${range}`,
        "Upgrade the cluster to Kubernetes 1.28 or newer",
        { version: v },
      );
    }
    if (compareVersions(v, `${KUBERNETES_MAX_TESTED_MINOR}.999`) > 0) {
      return {
        ...warn(
          `Kubernetes ${v} is newer than ${KUBERNETES_MAX_TESTED_MINOR}, the newest cto is tested with`,
          `Supported: ${range}; proceed knowingly or use a ${KUBERNETES_MAX_TESTED_MINOR} cluster`,
          { version: v },
        ),
        critical: false,
      };
    }
    return ok(`${v} (supported: ${range})`, { version: v });
  },
};

interface Quantities {
  cpu?: string;
  memory?: string;
}
interface NodeItem {
  metadata: { name: string };
  spec?: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status?: { allocatable?: Quantities; conditions?: { type: string; status: string }[] };
}
interface PodItem {
  metadata: { namespace: string; name: string };
  spec: { nodeName?: string; containers: { resources?: { requests?: Quantities } }[] };
}

export interface Capacity {
  /** Where the figures come from. */
  source: "cluster" | "plan" | "machine";
  nodes: number;
  cpu: number;
  memoryBytes: number;
  /** Already requested by pods that are not the platform's (cluster source), or the cluster kind's own share (machine source). */
  usedCpu: number;
  usedMemoryBytes: number;
}

/** A node the platform's pods can land on: Ready, not cordoned, no NoSchedule/NoExecute taint. */
export function isSchedulable(node: NodeItem): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const tainted = node.spec?.taints?.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute") ?? false;
  return ready && !node.spec?.unschedulable && !tainted;
}

async function liveCapacity(ctx: CheckContext): Promise<Capacity | { error: KubeError }> {
  const k = kubectl(ctx);
  const nodes = await k.json<{ items: NodeItem[] }>(["get", "nodes", "-o", "json"]);
  if (!nodes.ok) return { error: nodes.error };
  const usable = nodes.value.items.filter(isSchedulable);
  const names = new Set(usable.map((n) => n.metadata.name));
  let cpu = 0;
  let memoryBytes = 0;
  for (const n of usable) {
    cpu += parseCpu(n.status?.allocatable?.cpu ?? "0");
    memoryBytes += parseMemory(n.status?.allocatable?.memory ?? "0");
  }
  const pods = await k.json<{ items: PodItem[] }>([
    "get",
    "pods",
    "--all-namespaces",
    "--field-selector=status.phase!=Succeeded,status.phase!=Failed",
    "-o",
    "json",
  ]);
  if (!pods.ok) return { error: pods.error };
  // The platform's own pods are what the plan's estimate replaces, so they do not count as used.
  const ours = new Set([ctx.plan.platform.namespace, ...Object.values(ctx.plan.namespaces)]);
  let usedCpu = 0;
  let usedMemoryBytes = 0;
  for (const p of pods.value.items) {
    if (ours.has(p.metadata.namespace) || !p.spec.nodeName || !names.has(p.spec.nodeName)) continue;
    for (const c of p.spec.containers) {
      usedCpu += parseCpu(c.resources?.requests?.cpu ?? "0");
      usedMemoryBytes += parseMemory(c.resources?.requests?.memory ?? "0");
    }
  }
  return { source: "cluster", nodes: usable.length, cpu, memoryBytes, usedCpu, usedMemoryBytes };
}

/** Capacity the plan will get before the cluster exists; undefined when it cannot be known here. */
async function plannedCapacity(ctx: CheckContext): Promise<Capacity | undefined> {
  const c = ctx.plan.cluster;
  const none = { usedCpu: 0, usedMemoryBytes: 0 };
  if (c.provider === "simulated") {
    return {
      source: "plan",
      nodes: c.nodes,
      cpu: c.nodes * parseCpu(c.cpu),
      memoryBytes: c.nodes * parseMemory(c.memory),
      ...none,
    };
  }
  if (c.provider === "minikube") {
    return { source: "plan", nodes: 1, cpu: c.cpus, memoryBytes: c.memoryMiB * 2 ** 20, ...none };
  }
  if (c.provider === "kind" || (c.provider === "k3s" && !isRemoteK3s(ctx.plan))) {
    const mem = await ctx.probes.memInfo();
    if (!mem) return undefined;
    // What the cluster kind itself takes is not the platform's (the machine checks count it too).
    const share = SYSTEM_SHARE[c.provider];
    return {
      source: "machine",
      nodes: 1,
      cpu: ctx.probes.cpuCount(),
      memoryBytes: mem.totalBytes,
      usedCpu: share.cpu,
      usedMemoryBytes: parseMemory(share.memory),
    };
  }
  return undefined;
}

function capacityFix(plan: Plan): string {
  const c = plan.cluster;
  const smaller =
    plan.profile.name === "minimal"
      ? ""
      : `, choose a smaller profile (--profile ${plan.profile.name === "production" ? "standard" : "minimal"})`;
  if (c.provider === "simulated")
    return `Raise cluster.simulated.nodes, .cpu or .memory in cto.yaml${smaller}, or lower agents' resources`;
  if (c.provider === "minikube")
    return `Give minikube more: profile requirements drive --cpus/--memory${smaller}, or lower agents' resources`;
  return `Add nodes or bigger nodes${smaller}, or lower agents.<name>.resources in cto.yaml`;
}

/** "short by 3.5 CPU and 6 GiB" style comparison of what the plan needs with what there is. */
export function compareCapacity(plan: Plan, cap: Capacity): CheckOutcome {
  const need = planRequests(plan);
  const freeCpu = cap.cpu - cap.usedCpu;
  const freeMem = cap.memoryBytes - cap.usedMemoryBytes;
  const shortCpu = need.cpu - freeCpu;
  const shortMem = need.memoryBytes - freeMem;
  const noun = cap.nodes === 1 ? "node has" : "nodes have";
  const source =
    cap.source === "cluster"
      ? `${cap.nodes} schedulable ${noun} ${formatCpu(cap.cpu)} and ${formatGiB(cap.memoryBytes)} allocatable` +
        (cap.usedCpu > 0 || cap.usedMemoryBytes > 0
          ? ` (${formatCpu(cap.usedCpu)} and ${formatGiB(cap.usedMemoryBytes)} already requested by other pods)`
          : "")
      : cap.source === "plan"
        ? `the planned ${cap.nodes} ${noun} ${formatCpu(cap.cpu)} and ${formatGiB(cap.memoryBytes)}`
        : `this machine (the cluster's node) has ${formatCpu(cap.cpu)} and ${formatGiB(cap.memoryBytes)}, ` +
          `of which ${plan.cluster.provider} itself takes ${formatCpu(cap.usedCpu)} and ${formatGiB(cap.usedMemoryBytes)}`;
  const details = {
    source: cap.source,
    nodes: cap.nodes,
    allocatable: { cpu: cap.cpu, memoryBytes: cap.memoryBytes },
    usedByOthers: { cpu: cap.usedCpu, memoryBytes: cap.usedMemoryBytes },
    requested: { cpu: need.cpu, memoryBytes: need.memoryBytes },
    shortBy: { cpu: Math.max(0, shortCpu), memoryBytes: Math.max(0, shortMem) },
    lines: need.lines,
    unestimated: need.unestimated,
  };
  const requested = `the plan requests ${formatCpu(need.cpu)} and ${formatGiB(need.memoryBytes)}`;
  const shortParts = [shortCpu > 1e-9 ? formatCpu(shortCpu) : "", shortMem > 0 ? formatGiB(shortMem) : ""].filter(
    (p) => p !== "",
  );
  if (shortParts.length > 0) {
    return fail(`short by ${shortParts.join(" and ")}: ${requested}; ${source}`, capacityFix(plan), details);
  }
  return ok(`${requested}; ${source}`, details);
}

export const capacityCheck: Check = {
  id: "cluster.capacity",
  name: "Cluster capacity",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const s = await clusterState(ctx);
    if (s.state === "down") return skip("needs a reachable cluster");
    if (s.state === "up") {
      const cap = await memo(ctx, "cluster.capacity", () => liveCapacity(ctx));
      if ("error" in cap)
        return fail(`could not read nodes and pods: ${cap.error.message}`, errorFix(ctx, cap.error, s.kubeconfig));
      return compareCapacity(ctx.plan, cap);
    }
    const planned = await plannedCapacity(ctx);
    if (!planned) return skip("the cluster does not exist yet and its size is not known before cto up creates it");
    return compareCapacity(ctx.plan, planned);
  },
};

/** Components whose charts create PersistentVolumeClaims. */
const NEEDS_VOLUMES = (plan: Plan): boolean =>
  plan.features.databases || plan.features.monitoring || plan.features.backup;

/** Default StorageClass each provider brings when it creates the cluster. */
const PROVIDER_STORAGE: Partial<Record<Plan["cluster"]["provider"], string>> = {
  kind: "standard",
  k3s: "local-path",
  minikube: "standard",
};

export const storageClassCheck: Check = {
  id: "cluster.storage-class",
  name: "Default StorageClass",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const s = await clusterState(ctx);
    const critical = NEEDS_VOLUMES(ctx.plan);
    if (s.state === "absent") {
      const own = PROVIDER_STORAGE[ctx.plan.cluster.provider];
      return skip(
        own
          ? `${ctx.plan.cluster.provider} brings its default StorageClass (${own}) when cto up creates the cluster`
          : "the cluster does not exist yet",
      );
    }
    if (s.state === "down") return skip("needs a reachable cluster");
    const r = await kubectl(ctx).json<{
      items: { metadata: { name: string; annotations?: Record<string, string> } }[];
    }>(["get", "storageclasses", "-o", "json"]);
    if (!r.ok)
      return {
        ...fail(`could not list storage classes: ${r.error.message}`, errorFix(ctx, r.error, s.kubeconfig)),
        critical,
      };
    const isDefault = (a?: Record<string, string>): boolean =>
      a?.["storageclass.kubernetes.io/is-default-class"] === "true" ||
      a?.["storageclass.beta.kubernetes.io/is-default-class"] === "true";
    const defaults = r.value.items.filter((sc) => isDefault(sc.metadata.annotations)).map((sc) => sc.metadata.name);
    const all = r.value.items.map((sc) => sc.metadata.name);
    if (defaults.length > 0) return ok(defaults.join(", "), { defaults, all });
    const need = critical
      ? "the plan's databases/monitoring/backup need volumes"
      : "no component of this plan needs volumes yet";
    const fix =
      all.length > 0
        ? `kubectl patch storageclass ${all[0]} -p '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}'`
        : "Install a provisioner, e.g. local-path: kubectl apply -f https://raw.githubusercontent.com/rancher/local-path-provisioner/v0.0.31/deploy/local-path-storage.yaml, then mark it default";
    const reason =
      all.length > 0 ? `none of ${all.join(", ")} is marked default; ${need}` : `no StorageClass at all; ${need}`;
    return critical
      ? fail(reason, fix, { defaults, all })
      : { ...warn(reason, fix, { defaults, all }), critical: false };
  },
};

/**
 * Schedulable nodes high availability needs: Argo CD's redis-ha (production profile) runs 3
 * redis-ha-server and 3 haproxy pods with required (hard) pod anti-affinity, one per node, so
 * with fewer than `HA_MIN_NODES` schedulable nodes some stay Pending and Argo CD never becomes
 * ready. The profile states the same need (`resource_requirements.nodes`).
 */
export const HA_MIN_NODES = 3;

export const haNodesCheck: Check = {
  id: "cluster.ha-nodes",
  name: "Nodes for high availability",
  critical: true,
  appliesTo: (plan) => plan.features.highAvailability,
  async run(ctx) {
    const s = await clusterState(ctx);
    if (s.state === "down") return skip("needs a reachable cluster");
    const why = "Argo CD's redis-ha runs 3 replicas with required pod anti-affinity (one per node)";
    const fix =
      "Add schedulable nodes (untainted, Ready) until there are 3, or set features.high_availability: false in cto.yaml";
    let nodes: number;
    if (s.state === "up") {
      const cap = await memo(ctx, "cluster.capacity", () => liveCapacity(ctx));
      if ("error" in cap)
        return fail(`could not read nodes: ${cap.error.message}`, errorFix(ctx, cap.error, s.kubeconfig));
      nodes = cap.nodes;
    } else {
      const planned = await plannedCapacity(ctx);
      if (!planned)
        return skip("the cluster does not exist yet and its node count is not known before cto up creates it");
      nodes = planned.nodes;
    }
    const counted = `${nodes} schedulable node${nodes === 1 ? "" : "s"}${s.state === "up" ? "" : " planned"}`;
    if (nodes < HA_MIN_NODES)
      return fail(`${counted}; high availability needs ${HA_MIN_NODES}: ${why}`, fix, { nodes });
    return ok(`${counted} (high availability needs ${HA_MIN_NODES})`, { nodes });
  },
};
