/**
 * One table from what Kubernetes says (event reasons and messages, container states, conditions)
 * to a plain cause and its fix. Pure: `findCauses(signals, context)`.
 *
 * Covered: image pull failures (registry rate limit, missing image, credentials, unreachable
 * registry), insufficient CPU/memory, host-port conflicts, unbound volume claims, taints and
 * node selectors, crash loops and OOM kills (with the last log lines shown separately),
 * missing Secrets/ConfigMaps, admission webhook denials and unavailable webhooks, quotas,
 * PodSecurity, NodePort conflicts, failed Jobs, Argo CD sync errors, CRDs not established.
 */

/** One thing Kubernetes said about an object. */
export interface Signal {
  /** "Pod/web-1", "PersistentVolumeClaim/data-db-0". */
  object: string;
  source: "event" | "container" | "condition" | "status";
  reason: string;
  message: string;
  container?: string;
  image?: string;
  exitCode?: number;
}

export interface Cause {
  /** Stable id, e.g. `image-rate-limit`, `insufficient-resources`. */
  id: string;
  title: string;
  /** The object it was seen on. */
  object: string;
  /** What Kubernetes said: "FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu." */
  evidence: string;
  fix: string;
  /** How many objects showed the same cause (e.g. three replicas of one Deployment). */
  occurrences: number;
}

export interface CauseContext {
  namespace?: string;
  /** Renders a kubectl command line for this cluster (with --kubeconfig/--context). */
  kubectl(args: string[]): string;
}

interface Rule {
  id: string;
  test(s: Signal): RegExpExecArray | boolean | null;
  title(s: Signal, m: RegExpExecArray | null): string;
  fix(s: Signal, ctx: CauseContext, m: RegExpExecArray | null): string;
}

const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "Failed", "BackOff", "InspectFailed"]);
const isPull = (s: Signal): boolean =>
  s.reason === "ErrImagePull" ||
  s.reason === "ImagePullBackOff" ||
  (PULL_REASONS.has(s.reason) && /pull|image/i.test(s.message));
const what = (s: Signal): string => s.image ?? /image "([^"]+)"/.exec(s.message)?.[1] ?? "an image";
const ns = (ctx: CauseContext): string[] => (ctx.namespace ? ["-n", ctx.namespace] : []);
const nameOf = (object: string): string => object.split("/")[1] ?? object;
const kindOf = (object: string): string => object.split("/")[0] ?? object;

const SCHEDULING_FIX = "cto doctor compares the plan's requests with the nodes";

/** Ordered: the first rule that matches a signal names its cause. */
export const RULES: Rule[] = [
  {
    id: "image-rate-limit",
    test: (s) => isPull(s) && /toomanyrequests|rate limit|429 too many requests/i.test(s.message),
    title: (s) => `The registry rate-limited pulling ${what(s)}`,
    fix: () =>
      "Pull with an account instead of anonymously: set registry.username and registry.password in cto.yaml (cto creates the pull secret), or point images at a mirror you control; then cto up",
  },
  {
    id: "image-not-found",
    test: (s) =>
      isPull(s) && /manifest unknown|not found|does not exist|name unknown|repository .* not found/i.test(s.message),
    title: (s) => `Image ${what(s)} does not exist in its registry`,
    fix: () =>
      "Check the image name and tag (chart versions come from profiles/versions.yaml or charts.<component>.version in cto.yaml); a mirror must hold the same tags",
  },
  {
    id: "image-unauthorized",
    test: (s) =>
      isPull(s) &&
      /unauthorized|authentication required|pull access denied|denied|403 forbidden|insufficient_scope/i.test(
        s.message,
      ),
    title: (s) => `The registry refused to serve ${what(s)} without credentials`,
    fix: () =>
      "Set registry.username and registry.password in cto.yaml so the pods get an image pull secret, then cto up",
  },
  {
    id: "image-registry-unreachable",
    test: (s) =>
      isPull(s) &&
      /no such host|i\/o timeout|connection refused|dial tcp|tls handshake timeout|network is unreachable/i.test(
        s.message,
      ),
    title: (s) => `The node cannot reach the registry for ${what(s)}`,
    fix: () =>
      "Check DNS, proxy and firewall from the cluster's nodes to the registry; air-gapped sites: point registry and chart sources at a reachable mirror",
  },
  {
    id: "image-pull",
    test: (s) => isPull(s) || s.reason === "InvalidImageName" || s.reason === "ErrImageNeverPull",
    title: (s) =>
      s.reason === "InvalidImageName" ? `Image reference ${what(s)} is malformed` : `Pulling ${what(s)} fails`,
    fix: (s, ctx) => `See the pull error: ${ctx.kubectl(["describe", "pod", nameOf(s.object), ...ns(ctx)])}`,
  },
  {
    id: "insufficient-resources",
    test: (s) => /Insufficient (cpu|memory)/i.test(s.message),
    title: (s) => {
      const res = [...s.message.matchAll(/Insufficient (cpu|memory)/gi)].map((m) => (m[1] ?? "").toLowerCase());
      return `No node has enough ${[...new Set(res)].join(" and ")} for ${s.object}`;
    },
    fix: () =>
      `Add nodes or capacity, choose a smaller profile, or lower agents.<name>.resources in cto.yaml (${SCHEDULING_FIX}: run cto doctor)`,
  },
  {
    id: "host-port-conflict",
    test: (s) => /free ports for the requested pod ports/i.test(s.message),
    title: (s) => `The host port ${s.object} needs is taken on every node`,
    fix: (_s, ctx) =>
      `Find what uses the port (${ctx.kubectl(["get", "pods", "-A", "-o", "wide"])} and ss -ltnp on the node) and stop it, or change the port`,
  },
  {
    id: "unbound-volume-claim",
    test: (s) =>
      /unbound (immediate )?PersistentVolumeClaims|no persistent volumes available for this claim|storageclass\.storage\.k8s\.io ".*" not found|waiting for a volume to be created/i.test(
        s.message,
      ) ||
      s.reason === "ProvisioningFailed" ||
      (s.source === "status" && kindOf(s.object) === "PersistentVolumeClaim"),
    title: (s) =>
      kindOf(s.object) === "PersistentVolumeClaim"
        ? `Volume claim ${nameOf(s.object)} is not bound`
        : `${s.object} waits for a volume claim that is not bound`,
    fix: (_s, ctx) =>
      `No StorageClass provisions the claim: mark one default (${ctx.kubectl(["get", "storageclass"])}; kubectl patch storageclass <name> -p '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}') or install a provisioner such as local-path`,
  },
  {
    id: "node-taint",
    test: (s) => /untolerated taint|had taint/i.test(s.message),
    title: (s) => `Every node carries a taint ${s.object} does not tolerate`,
    fix: (_s, ctx) =>
      `See the taints: ${ctx.kubectl(["describe", "nodes"])} | grep Taints; a node.kubernetes.io/not-ready taint means the node is down; remove others with kubectl taint nodes <node> <key>-`,
  },
  {
    id: "node-selector",
    test: (s) =>
      /didn't match Pod's node affinity|didn't match node selector|didn't match pod (anti-)?affinity/i.test(s.message),
    title: (s) => `No node matches the placement rules of ${s.object}`,
    fix: (_s, ctx) =>
      `Compare the pod's nodeSelector/affinity with the node labels: ${ctx.kubectl(["get", "nodes", "--show-labels"])}`,
  },
  {
    id: "no-nodes",
    test: (s) => /no nodes available to schedule pods|0\/0 nodes are available/i.test(s.message),
    title: () => "The cluster has no schedulable nodes",
    fix: (_s, ctx) => `Check the nodes: ${ctx.kubectl(["get", "nodes"])}`,
  },
  {
    id: "oom-killed",
    test: (s) => s.reason === "OOMKilled",
    title: (s) => `Container ${s.container ?? "?"} of ${s.object} was killed for exceeding its memory limit`,
    fix: () =>
      "Raise the container's memory limit (agents.<name>.resources.memory for agents, chart values for components) or give the nodes more memory",
  },
  {
    id: "crash-loop",
    test: (s) =>
      s.reason === "CrashLoopBackOff" || (s.source === "container" && s.reason === "Error" && (s.exitCode ?? 0) !== 0),
    title: (s) =>
      `Container ${s.container ?? "?"} of ${s.object} keeps crashing${s.exitCode !== undefined ? ` (exit code ${s.exitCode})` : ""}`,
    fix: (s, ctx) =>
      `Read its last log lines below; all of them: ${ctx.kubectl(["logs", nameOf(s.object), ...(s.container ? ["-c", s.container] : []), "--previous", ...ns(ctx)])}`,
  },
  {
    id: "missing-config",
    test: (s) => /(secret|configmap)s? "([^"]+)" not found/i.exec(s.message),
    title: (s, m) =>
      `${s.object} refers to ${(m?.[1] ?? "secret").toLowerCase() === "secret" ? "Secret" : "ConfigMap"} ${m?.[2] ?? ""} that does not exist`,
    fix: (_s, ctx, m) =>
      `Create it, or run cto up again so the platform creates it (check: ${ctx.kubectl(["get", (m?.[1] ?? "secret").toLowerCase(), m?.[2] ?? "", ...ns(ctx)])})`,
  },
  {
    id: "webhook-denied",
    test: (s) => /admission webhook "([^"]+)" denied the request:?\s*(.*)/i.exec(s.message),
    title: (s, m) => `Admission webhook ${m?.[1] ?? ""} refused ${s.object}: ${(m?.[2] ?? "").trim()}`,
    fix: (_s, ctx) =>
      `A policy in the cluster rejects the platform's object: change the policy or exempt the platform's namespaces (${ctx.kubectl(["get", "validatingwebhookconfigurations,mutatingwebhookconfigurations"])})`,
  },
  {
    id: "webhook-unavailable",
    test: (s) => /failed calling webhook "([^"]+)"/i.exec(s.message),
    title: (_s, m) => `Admission webhook ${m?.[1] ?? ""} does not answer`,
    fix: (_s, ctx, m) =>
      `Its service has no ready pods: check them, or delete a stale registration (${ctx.kubectl(["get", "validatingwebhookconfigurations,mutatingwebhookconfigurations"])} | grep ${(m?.[1] ?? "").split(".")[0]})`,
  },
  {
    id: "quota-exceeded",
    test: (s) => /exceeded quota/i.test(s.message),
    title: (s) => `A ResourceQuota blocks ${s.object}`,
    fix: (_s, ctx) => `Raise the quota or lower requests: ${ctx.kubectl(["describe", "resourcequota", ...ns(ctx)])}`,
  },
  {
    id: "pod-security",
    test: (s) => /violates PodSecurity/i.test(s.message),
    title: (s) => `The namespace's PodSecurity level refuses ${s.object}`,
    fix: (_s, ctx) =>
      `Label the namespace with the level the component needs: ${ctx.kubectl(["label", "namespace", ctx.namespace ?? "<namespace>", "pod-security.kubernetes.io/enforce=baseline", "--overwrite"])}`,
  },
  {
    id: "port-allocated",
    test: (s) => /port is already allocated|provided port is already allocated/i.test(s.message),
    title: (s) => `A NodePort ${s.object} asks for is used by another Service`,
    fix: (_s, ctx) =>
      `Find the Service holding it: ${ctx.kubectl(["get", "services", "-A"])} and pick another nodePort`,
  },
  {
    id: "job-failed",
    test: (s) => s.source === "condition" && s.reason === "BackoffLimitExceeded",
    title: (s) => `Job ${nameOf(s.object)} failed after its retries`,
    fix: (s, ctx) => `Read its pods' logs: ${ctx.kubectl(["logs", `job/${nameOf(s.object)}`, ...ns(ctx)])}`,
  },
  {
    id: "argocd-sync-error",
    test: (s) => kindOf(s.object) === "Application" && /Error$|^OutOfSync$/.test(s.reason),
    title: (s) => `Argo CD cannot sync ${nameOf(s.object)} (${s.reason})`,
    fix: (s, ctx) =>
      `Read the Application's conditions and resources: ${ctx.kubectl(["get", "application", nameOf(s.object), ...ns(ctx), "-o", "yaml"])}`,
  },
  {
    id: "argocd-unhealthy",
    test: (s) => kindOf(s.object) === "Application" && /^(Degraded|Missing)$/.test(s.reason),
    title: (s) => `Argo CD reports ${nameOf(s.object)} ${s.reason}`,
    fix: (s, ctx) =>
      `Find the unhealthy resource in the Application's status: ${ctx.kubectl(["get", "application", nameOf(s.object), ...ns(ctx), "-o", "jsonpath={.status.resources}"])}`,
  },
  {
    id: "crd-not-established",
    test: (s) => kindOf(s.object) === "CustomResourceDefinition" && /Established|NamesAccepted/.test(s.reason),
    title: (s) => `CRD ${nameOf(s.object)} is not established`,
    fix: (s, ctx) =>
      `Read its conditions: ${ctx.kubectl(["get", "crd", nameOf(s.object), "-o", "jsonpath={.status.conditions}"])}`,
  },
];

function evidenceOf(s: Signal): string {
  const where = s.container ? ` (container ${s.container})` : "";
  return `${s.reason}${where}: ${s.message}`.replace(/\s+/g, " ").trim();
}

/** Maps signals to causes; one cause per rule, counting how many objects showed it. */
export function findCauses(signals: Signal[], ctx: CauseContext): Cause[] {
  const byRule = new Map<string, Cause>();
  const objects = new Map<string, Set<string>>();
  for (const s of signals) {
    for (const rule of RULES) {
      const hit = rule.test(s);
      if (!hit) continue;
      const m = typeof hit === "object" ? hit : null;
      if (!byRule.has(rule.id)) {
        byRule.set(rule.id, {
          id: rule.id,
          title: rule.title(s, m),
          object: s.object,
          evidence: evidenceOf(s),
          fix: rule.fix(s, ctx, m),
          occurrences: 0,
        });
        objects.set(rule.id, new Set());
      }
      objects.get(rule.id)?.add(s.object);
      break;
    }
  }
  for (const [id, cause] of byRule) cause.occurrences = objects.get(id)?.size ?? 1;
  return [...byRule.values()];
}
