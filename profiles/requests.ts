/**
 * How much CPU and memory a plan asks the cluster for: the sum of per-component request
 * estimates plus the agents' own resources. `cto doctor` and `cto up` compare this with the
 * nodes' allocatable capacity and refuse a plan the cluster cannot hold; the resolver sizes a
 * simulated cluster's nodes from the same sum (`node-size.ts`), so its defaults always pass.
 *
 * The estimates are the resource *requests* (what the scheduler reserves) of each component's
 * pods as installed by `cto`, rounded up. Where a chart sets no requests of its own, the figure is
 * what the component needs at idle on a small platform, so a cluster that passes this check can
 * at least schedule everything. Keep this table in step with the components: a unit test fails
 * when a bundled profile names a component that has no entry here.
 */
import type { ComponentPlan, FeaturePlan, Plan } from "./plan.js";
import { parseCpu, parseMemory } from "./quantity.js";

export interface RequestEstimate {
  /** Cores requested by all of the component's pods together. */
  cpu: number;
  /** Memory requested by all of the component's pods together, as a Kubernetes quantity. */
  memory: string;
  /** Multiplier applied when `features.highAvailability` is on (replicas of the same pods). */
  ha: number;
  /**
   * Disk on the nodes: persistent volumes the component creates plus its images, as a Kubernetes
   * quantity. Default `DEFAULT_DISK` (images only).
   */
  disk?: string;
  /** What the figure is made of, for the documentation and `--json` readers. */
  basis: string;
}

/**
 * Per-component estimates, keyed by chart name or component name with punctuation removed (so
 * "argo-cd", "argocd" and "argo_cd" are the same entry). Umbrella names ("monitoring",
 * "databases") cover components that bundle several charts.
 */
export const COMPONENT_REQUESTS: Readonly<Record<string, RequestEstimate>> = {
  platformbase: { cpu: 0, memory: "0", ha: 1, disk: "0", basis: "namespaces, labels and secrets only: no pods" },
  cluster: {
    cpu: 0,
    memory: "0",
    ha: 1,
    disk: "0",
    basis: "the cluster itself: its system pods are already subtracted",
  },
  argocd: {
    cpu: 0.6,
    memory: "1.25Gi",
    ha: 2.5,
    basis:
      "application-controller 250m/512Mi, repo-server 100m/256Mi, server 50m/128Mi, redis 100m/128Mi, applicationset and notifications controllers 50m/128Mi each",
  },
  argoworkflows: { cpu: 0.2, memory: "384Mi", ha: 2, basis: "workflow-controller 100m/256Mi, server 100m/128Mi" },
  argoevents: {
    cpu: 0.4,
    memory: "512Mi",
    ha: 1,
    basis: "controller-manager 100m/128Mi, event bus (3 NATS pods) 100m/128Mi each",
  },
  controller: { cpu: 0.25, memory: "256Mi", ha: 2, basis: "CTO controller 250m/256Mi" },
  ingressnginx: { cpu: 0.1, memory: "90Mi", ha: 2, basis: "ingress-nginx controller chart default requests 100m/90Mi" },
  ingress: { cpu: 0.1, memory: "90Mi", ha: 2, basis: "ingress controller 100m/90Mi" },
  certmanager: { cpu: 0.1, memory: "192Mi", ha: 2, basis: "controller, webhook and cainjector 30m/64Mi each" },
  monitoring: {
    cpu: 1.2,
    memory: "3.25Gi",
    ha: 2,
    disk: "12Gi",
    basis:
      "Prometheus 500m/2Gi, Grafana 100m/256Mi, Alertmanager 50m/128Mi, operator 100m/128Mi, kube-state-metrics 50m/64Mi, node-exporter 50m/64Mi, log store 250m/512Mi, log agent 100m/128Mi",
  },
  databases: {
    cpu: 0.8,
    memory: "1.5Gi",
    ha: 2,
    basis:
      "CloudNativePG operator 100m/128Mi, Redis operator 100m/128Mi, one PostgreSQL instance 500m/1Gi, one Redis 100m/256Mi",
  },
  kubeprometheusstack: {
    cpu: 0.85,
    memory: "2.5Gi",
    ha: 2,
    basis:
      "Prometheus 500m/2Gi, Grafana 100m/256Mi, Alertmanager 50m/128Mi, operator 100m/128Mi, kube-state-metrics 50m/64Mi, node-exporter 50m/64Mi",
  },
  loki: {
    cpu: 0.35,
    memory: "640Mi",
    ha: 2,
    disk: "11Gi",
    basis: "single-binary Loki 250m/512Mi, log agent 100m/128Mi; the chart's 10Gi volume",
  },
  logging: {
    cpu: 0.35,
    memory: "640Mi",
    ha: 2,
    disk: "11Gi",
    basis: "log store 250m/512Mi, log agent 100m/128Mi; the log store's 10Gi volume",
  },
  cloudnativepg: {
    cpu: 0.6,
    memory: "1.125Gi",
    ha: 2,
    basis: "CloudNativePG operator 100m/128Mi, one PostgreSQL instance 500m/1Gi",
  },
  postgresoperator: {
    cpu: 0.6,
    memory: "1.125Gi",
    ha: 2,
    basis: "PostgreSQL operator 100m/128Mi, one PostgreSQL instance 500m/1Gi",
  },
  redisoperator: { cpu: 0.2, memory: "384Mi", ha: 2, basis: "Redis operator 100m/128Mi, one Redis 100m/256Mi" },
  velero: { cpu: 0.5, memory: "128Mi", ha: 1, basis: "Velero chart default requests 500m/128Mi" },
  backup: { cpu: 0.5, memory: "128Mi", ha: 1, basis: "Velero chart default requests 500m/128Mi" },
  security: { cpu: 0.1, memory: "128Mi", ha: 1, basis: "network policies (no pods) and policy helpers 100m/128Mi" },
  registry: {
    cpu: 0.1,
    memory: "128Mi",
    ha: 1,
    basis: "in-cluster registry 100m/128Mi (a Docker-side registry for kind costs the cluster nothing)",
  },
  githubapps: { cpu: 0, memory: "0", ha: 1, disk: "0", basis: "GitHub webhooks and secrets only: no pods" },
  tunnel: { cpu: 0.05, memory: "64Mi", ha: 1, basis: "tunnel client 50m/64Mi" },
};

/** Disk of a component without its own figure: its images. */
export const DEFAULT_DISK = "1Gi";
/** Disk of an agent: its image and a checkout of the repository it works on (an estimate). */
export const AGENT_DISK = "2Gi";

/** Used for a component that has no entry above; reported so the gap is visible. */
export const DEFAULT_REQUEST: RequestEstimate = {
  cpu: 0.1,
  memory: "128Mi",
  ha: 1,
  basis: "no estimate recorded for this component: 100m/128Mi assumed",
};

export function requestKey(componentName: string): string {
  return componentName.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** The estimate for a component: by its chart's name first (most specific), then by its own name. */
export function estimateFor(component: Pick<ComponentPlan, "name" | "chart">): RequestEstimate | undefined {
  const byChart = component.chart ? COMPONENT_REQUESTS[requestKey(component.chart.chart)] : undefined;
  return byChart ?? COMPONENT_REQUESTS[requestKey(component.name)];
}

export interface RequestLine {
  /** "component argo-cd" or "agent rex". */
  source: string;
  cpu: number;
  memoryBytes: number;
  /** Disk on the nodes (volumes and images). */
  diskBytes: number;
  basis: string;
}

export interface PlanRequests {
  cpu: number;
  memoryBytes: number;
  diskBytes: number;
  lines: RequestLine[];
  /** Components that fell back to `DEFAULT_REQUEST`. */
  unestimated: string[];
}

/** The parts of a plan that decide what it requests: available to the resolver before the plan is whole. */
export type PlanDemand = Pick<Plan, "components" | "agents"> & { features: Pick<FeaturePlan, "highAvailability"> };

/** Sums what the plan's enabled components and its agents request from the cluster. */
export function planRequests(plan: PlanDemand): PlanRequests {
  const lines: RequestLine[] = [];
  const unestimated: string[] = [];
  const ha = plan.features.highAvailability;
  for (const component of plan.components) {
    const known = estimateFor(component);
    if (!known) unestimated.push(component.name);
    const estimate = known ?? DEFAULT_REQUEST;
    const factor = ha ? estimate.ha : 1;
    lines.push({
      source: `component ${component.name}`,
      cpu: estimate.cpu * factor,
      memoryBytes: parseMemory(estimate.memory) * factor,
      diskBytes: parseMemory(estimate.disk ?? DEFAULT_DISK) * factor,
      basis: factor === 1 ? estimate.basis : `${estimate.basis}; ×${factor} for high availability`,
    });
  }
  for (const agent of plan.agents) {
    lines.push({
      source: `agent ${agent.name}`,
      cpu: parseCpu(agent.resources.cpu),
      memoryBytes: parseMemory(agent.resources.memory),
      diskBytes: parseMemory(AGENT_DISK),
      basis: `agents.${agent.name}.resources (${agent.resources.cpu} CPU, ${agent.resources.memory})`,
    });
  }
  return {
    cpu: lines.reduce((sum, l) => sum + l.cpu, 0),
    memoryBytes: lines.reduce((sum, l) => sum + l.memoryBytes, 0),
    diskBytes: lines.reduce((sum, l) => sum + l.diskBytes, 0),
    lines,
    unestimated,
  };
}
