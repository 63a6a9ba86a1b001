import { strict as assert } from "node:assert";
import { renderHealth } from "../../stacks/diagnose/format.js";
import { componentHealth } from "../../stacks/diagnose/health.js";
import type { CommandResult } from "../../stacks/diagnose/run.js";
import type { ComponentPlan } from "../../profiles/plan.js";

const component = (name: string, namespace: string, chart?: string): ComponentPlan => ({
  name,
  category: "core",
  required: true,
  dependencies: [],
  installOrder: 1,
  namespace,
  ...(chart ? { chart: { repository: "https://charts.example", chart, version: "1.0.0" } } : {}),
});
const plan = {
  components: [
    component("argo-cd", "argocd"),
    component("argo-workflows", "argo"),
    component("argo-events", "argo"),
    component("controller", "cto"),
    component("monitoring", "monitoring", "kube-prometheus-stack"),
  ],
};

const workload = (kind: string, ns: string, name: string, ready: boolean, labels: Record<string, string> = {}) => ({
  kind,
  metadata: { name, namespace: ns, labels },
  spec: { replicas: 1 },
  status: ready ? { availableReplicas: 1, updatedReplicas: 1, readyReplicas: 1 } : { availableReplicas: 0 },
});
const crd = (name: string, established = true) => ({
  metadata: { name },
  status: { conditions: [{ type: "Established", status: established ? "True" : "False" }] },
});

function cluster(opts: { workloads: unknown[]; crds: unknown[]; apps?: unknown[]; namespaces?: string[] }) {
  return async (_cmd: string, args: string[]): Promise<CommandResult> => {
    const rest = args.slice(args.findIndex((a) => a.startsWith("--request-timeout")) + 1).join(" ");
    const ok = (v: unknown): CommandResult => ({
      found: true,
      code: 0,
      stdout: JSON.stringify(v),
      stderr: "",
      timedOut: false,
    });
    if (rest === "get namespaces -o json")
      return ok({
        items: (opts.namespaces ?? ["argocd", "argo", "cto", "monitoring"]).map((name) => ({
          metadata: { name },
          status: { phase: "Active" },
        })),
      });
    if (rest === "get deployments,statefulsets,daemonsets --all-namespaces -o json")
      return ok({ items: opts.workloads });
    if (rest.startsWith("get customresourcedefinitions -o=jsonpath="))
      // What kubectl prints for the name / Established listing: one "name<TAB>status" line per CRD.
      return {
        ...ok(null),
        stdout: (opts.crds as ReturnType<typeof crd>[])
          .map((c) => `${c.metadata.name}\t${c.status.conditions[0]?.status ?? ""}\n`)
          .join(""),
      };
    if (rest === "get applications.argoproj.io --all-namespaces -o json") return ok({ items: opts.apps ?? [] });
    if (rest.startsWith("get events")) return ok({ items: [] });
    if (rest === "get customresourcedefinitions.apiextensions.k8s.io workflows.argoproj.io -o json")
      return ok(crd("workflows.argoproj.io", false));
    if (rest.startsWith("get deployments.apps")) return ok(workload("Deployment", "cto", "cto-controller", false));
    if (rest.startsWith("get pods")) return ok({ items: [] });
    return { found: true, code: 1, stdout: "", stderr: `Error from server (NotFound): ${rest}`, timedOut: false };
  };
}

const argoCrds = [
  crd("applications.argoproj.io"),
  crd("appprojects.argoproj.io"),
  crd("workflows.argoproj.io"),
  crd("sensors.argoproj.io"),
  crd("prometheuses.monitoring.coreos.com"),
];

describe("diagnose: component health", () => {
  it("all healthy: workloads, CRDs and Applications attributed to their components", async () => {
    const run = cluster({
      workloads: [
        workload("Deployment", "argocd", "argocd-server", true),
        workload("StatefulSet", "argocd", "argocd-application-controller", true),
        workload("Deployment", "argo", "argo-workflows-server", true, {
          "app.kubernetes.io/part-of": "argo-workflows",
        }),
        workload("Deployment", "argo", "controller-manager", true, { "app.kubernetes.io/instance": "argo-events" }),
        workload("Deployment", "cto", "cto-controller", true),
        workload("DaemonSet", "kube-system", "kube-proxy", false),
        workload("Deployment", "monitoring", "grafana", true),
      ],
      crds: argoCrds,
      apps: [
        {
          metadata: { name: "controller", namespace: "argocd" },
          spec: { destination: { namespace: "cto" } },
          status: { sync: { status: "Synced" }, health: { status: "Healthy" } },
        },
      ],
    });
    const h = await componentHealth("/k.yaml", plan, { run });
    assert.equal(h.healthy, true, renderHealth(h));
    const by = (n: string) => h.components.find((c) => c.name === n);
    assert.deepEqual(
      by("argo-cd")?.workloads.map((w) => w.name),
      ["argocd-server", "argocd-application-controller"],
    );
    assert.deepEqual(
      by("argo-workflows")?.workloads.map((w) => w.name),
      ["argo-workflows-server"],
    );
    assert.deepEqual(
      by("argo-events")?.workloads.map((w) => w.name),
      ["controller-manager"],
    );
    assert.deepEqual(
      by("argo-cd")?.crds.map((c) => c.name),
      ["applications.argoproj.io", "appprojects.argoproj.io"],
    );
    assert.deepEqual(
      by("monitoring")?.crds.map((c) => c.name),
      ["prometheuses.monitoring.coreos.com"],
    );
    assert.deepEqual(by("controller")?.applications, [
      { name: "controller", namespace: "argocd", sync: "Synced", health: "Healthy" },
    ]);
    assert.match(renderHealth(h), /✓ {2}argo-cd \(argocd\): 2\/2 workloads ready, 2\/2 CRDs established/);
  });

  it("an unavailable workload, a CRD not established and a missing namespace make it unhealthy, with diagnoses", async () => {
    const run = cluster({
      workloads: [
        workload("Deployment", "argocd", "argocd-server", true),
        workload("Deployment", "cto", "cto-controller", false),
      ],
      crds: [crd("applications.argoproj.io"), crd("workflows.argoproj.io", false)],
      namespaces: ["argocd", "argo", "cto"],
    });
    const h = await componentHealth("/k.yaml", plan, { run });
    assert.equal(h.healthy, false);
    const by = (n: string) => h.components.find((c) => c.name === n);
    assert.equal(by("argo-cd")?.healthy, true);
    assert.equal(by("controller")?.healthy, false);
    assert.equal(by("controller")?.problems[0]?.ref.name, "cto-controller");
    assert.equal(by("argo-workflows")?.healthy, false);
    assert.equal(by("argo-workflows")?.problems[0]?.causes[0]?.id, "crd-not-established");
    assert.equal(by("monitoring")?.note, "namespace monitoring does not exist");
    const text = renderHealth(h);
    assert.match(text, /✗ {2}controller \(cto\): 0\/1 workloads ready/);
    assert.match(text, /✗ {2}monitoring \(monitoring\): namespace monitoring does not exist/);
  });
});
