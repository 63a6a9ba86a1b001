/**
 * Per-component health for `cto status` and the end of `cto up`: for each component of the plan,
 * its workloads available, its CRDs established, and the Argo CD Applications that deploy into
 * its namespace synced and healthy. Whatever is not is diagnosed (`diagnose.ts`).
 *
 * Attribution (documented because components share namespaces):
 * - a workload (Deployment, StatefulSet, DaemonSet) belongs to the component of its namespace; when
 *   several components share the namespace, to the one whose name matches the workload's
 *   `app.kubernetes.io/instance`, `app.kubernetes.io/part-of` or `app.kubernetes.io/name` label or
 *   name prefix, else to the first of them;
 * - CRDs belong to a component by the names/groups in `COMPONENT_CRDS` (looked up by chart name,
 *   then component name);
 * - Applications (argoproj.io) belong to the component whose namespace they deploy into, else to
 *   the Argo CD component.
 * Three calls to the API server in all, plus one diagnosis per problem (at most three per
 * component).
 */
import type { Plan } from "../../profiles/plan.js";
import { diagnose, type DiagnoseOptions, type Diagnosis } from "./diagnose.js";
import { Kubectl, type KubeResult, type KubeTarget } from "./kubectl.js";
import { readiness, type KubeObject } from "./objects.js";

export interface WorkloadHealth {
  kind: string;
  name: string;
  ready: boolean;
  state: string;
}

export interface ComponentHealth {
  name: string;
  namespace: string;
  healthy: boolean;
  workloads: WorkloadHealth[];
  crds: { name: string; established: boolean }[];
  applications: { name: string; namespace: string; sync: string; health: string }[];
  /** Diagnoses of what is not ready. */
  problems: Diagnosis[];
  /** Why nothing was checked, e.g. "namespace argocd does not exist". */
  note?: string;
}

export interface HealthReport {
  healthy: boolean;
  components: ComponentHealth[];
  /** What could not be read at all (e.g. "workloads: forbidden"). */
  errors: string[];
}

export interface HealthOptions extends DiagnoseOptions {
  /** Diagnose problems (default true); false gives a faster summary. */
  diagnoseProblems?: boolean;
}

const key = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Which CRDs a component installs: exact CRD names or `*.group` suffixes. */
export const COMPONENT_CRDS: Record<string, string[]> = {
  argocd: ["applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io"],
  argoworkflows: [
    "workflows.argoproj.io",
    "workflowtemplates.argoproj.io",
    "clusterworkflowtemplates.argoproj.io",
    "cronworkflows.argoproj.io",
    "workflowtaskresults.argoproj.io",
    "workflowtasksets.argoproj.io",
    "workflowartifactgctasks.argoproj.io",
    "workfloweventbindings.argoproj.io",
  ],
  argoevents: ["eventbus.argoproj.io", "eventsources.argoproj.io", "sensors.argoproj.io"],
  certmanager: ["*.cert-manager.io"],
  kubeprometheusstack: ["*.monitoring.coreos.com"],
  monitoring: ["*.monitoring.coreos.com"],
  cloudnativepg: ["*.postgresql.cnpg.io"],
  postgresoperator: ["*.postgresql.cnpg.io"],
  databases: ["*.postgresql.cnpg.io", "*.redis.opstreelabs.in"],
  redisoperator: ["*.redis.opstreelabs.in"],
  velero: ["*.velero.io"],
  backup: ["*.velero.io"],
};

/** CRD patterns of a component: by its chart's name, else by its own name. */
function crdPatterns(component: Pick<Plan["components"][number], "name" | "chart">): string[] {
  return (
    (component.chart ? COMPONENT_CRDS[key(component.chart.chart)] : undefined) ??
    COMPONENT_CRDS[key(component.name)] ??
    []
  );
}

export function crdBelongs(component: Pick<Plan["components"][number], "name" | "chart">, crd: string): boolean {
  return crdPatterns(component).some((p) => (p.startsWith("*.") ? crd.endsWith(p.slice(1)) : crd === p));
}

function ownerOf(obj: KubeObject, candidates: Plan["components"]): Plan["components"][number] | undefined {
  const labels = obj.metadata.labels ?? {};
  const hints = [
    labels["app.kubernetes.io/instance"],
    labels["app.kubernetes.io/part-of"],
    labels["app.kubernetes.io/name"],
    obj.metadata.name,
  ]
    .filter((h): h is string => !!h)
    .map(key);
  return candidates.find((c) => hints.some((h) => h === key(c.name) || h.startsWith(key(c.name)))) ?? candidates[0];
}

/** Health of every component of the plan, read from the cluster. */
export async function componentHealth(
  kubeconfig: string | KubeTarget,
  plan: Pick<Plan, "components">,
  options: HealthOptions = {},
): Promise<HealthReport> {
  const target: KubeTarget =
    typeof kubeconfig === "string"
      ? { kubeconfig, ...(options.context ? { context: options.context } : {}) }
      : kubeconfig;
  const k = new Kubectl(target, options);
  const errors: string[] = [];
  const components: ComponentHealth[] = plan.components.map((c) => ({
    name: c.name,
    namespace: c.namespace,
    healthy: true,
    workloads: [],
    crds: [],
    applications: [],
    problems: [],
  }));
  const byNamespace = new Map<string, Plan["components"]>();
  for (const c of plan.components) byNamespace.set(c.namespace, [...(byNamespace.get(c.namespace) ?? []), c]);
  const entry = (name: string): ComponentHealth => components.find((c) => c.name === name) as ComponentHealth;
  const pending: { component: ComponentHealth; kind: string; name: string; namespace?: string }[] = [];

  const namespaces = await k.json<{ items: KubeObject[] }>(["get", "namespaces", "-o", "json"]);
  const existing = namespaces.ok ? new Set(namespaces.value.items.map((n) => n.metadata.name)) : undefined;
  if (!namespaces.ok) errors.push(`namespaces: ${namespaces.error.message}`);

  const workloads = await k.json<{ items: KubeObject[] }>([
    "get",
    "deployments,statefulsets,daemonsets",
    "--all-namespaces",
    "-o",
    "json",
  ]);
  if (workloads.ok) {
    for (const w of workloads.value.items) {
      const candidates = byNamespace.get(w.metadata.namespace ?? "");
      const owner = candidates && ownerOf(w, candidates);
      if (!owner) continue;
      const kind = w.kind ?? "Deployment";
      const r = readiness(kind, w);
      const c = entry(owner.name);
      c.workloads.push({ kind, name: w.metadata.name, ...r });
      if (!r.ready) pending.push({ component: c, kind, name: w.metadata.name, namespace: w.metadata.namespace });
    }
  } else errors.push(`workloads: ${workloads.error.message}`);

  const crds = await listCrds(k);
  if (crds.ok) {
    for (const crd of crds.value.items) {
      for (const [i, c] of components.entries()) {
        if (!crdBelongs(plan.components[i] as Plan["components"][number], crd.metadata.name)) continue;
        const established = readiness("CustomResourceDefinition", crd).ready;
        c.crds.push({ name: crd.metadata.name, established });
        if (!established) pending.push({ component: c, kind: "CustomResourceDefinition", name: crd.metadata.name });
      }
    }
  } else errors.push(`CRDs: ${crds.error.message}`);

  const hasApplications = crds.ok && crds.value.items.some((c) => c.metadata.name === "applications.argoproj.io");
  if (hasApplications) {
    const apps = await k.json<{ items: KubeObject[] }>([
      "get",
      "applications.argoproj.io",
      "--all-namespaces",
      "-o",
      "json",
    ]);
    if (apps.ok) {
      const argo = components.find((c) => key(c.name) === "argocd");
      for (const app of apps.value.items) {
        const dest = (app.spec?.destination as { namespace?: string } | undefined)?.namespace;
        const c = components.find((x) => x.namespace === dest && key(x.name) !== "argocd") ?? argo;
        if (!c) continue;
        const s = app.status ?? {};
        const sync = (s.sync as { status?: string } | undefined)?.status ?? "Unknown";
        const health = (s.health as { status?: string } | undefined)?.status ?? "Unknown";
        c.applications.push({ name: app.metadata.name, namespace: app.metadata.namespace ?? "", sync, health });
        if (sync !== "Synced" || health !== "Healthy")
          pending.push({
            component: c,
            kind: "Application",
            name: app.metadata.name,
            namespace: app.metadata.namespace,
          });
      }
    } else errors.push(`applications: ${apps.error.message}`);
  }

  for (const c of components) {
    if (existing && !existing.has(c.namespace) && c.workloads.length === 0) {
      c.note = `namespace ${c.namespace} does not exist`;
      c.healthy = false;
    }
    if (
      c.workloads.some((w) => !w.ready) ||
      c.crds.some((x) => !x.established) ||
      c.applications.some((a) => a.sync !== "Synced" || a.health !== "Healthy")
    ) {
      c.healthy = false;
    }
  }
  if (options.diagnoseProblems ?? true) {
    for (const c of components) {
      for (const p of pending.filter((x) => x.component === c).slice(0, 3)) {
        c.problems.push(await diagnose(target, { kind: p.kind, name: p.name, namespace: p.namespace }, options));
      }
    }
  }
  return { healthy: errors.length === 0 && components.every((c) => c.healthy), components, errors };
}

/**
 * Every CRD's name and Established condition, not `-o json`: the official charts' CRDs carry full
 * OpenAPI schemas (tens of MB with kube-prometheus-stack and argo-cd), past what the runner keeps.
 */
const CRD_ESTABLISHED_JSONPATH =
  '{range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}';
async function listCrds(k: Kubectl): Promise<KubeResult<{ items: KubeObject[] }>> {
  const listing = await k.text(["get", "customresourcedefinitions", `-o=jsonpath=${CRD_ESTABLISHED_JSONPATH}`]);
  if (!listing.ok) return listing;
  const items = listing.value
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line): KubeObject => {
      const [name = "", status = ""] = line.split("\t");
      return {
        kind: "CustomResourceDefinition",
        metadata: { name },
        status: { conditions: status ? [{ type: "Established", status }] : [] },
      } as KubeObject;
    });
  return { ok: true, value: { items } };
}
