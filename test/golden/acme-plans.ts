/**
 * Plans for the example organisation `acme` (domain acme.example, registry
 * registry.acme.example/platform), one per profile, written out by hand so the template tests do
 * not depend on the resolver's defaults. They follow what the profiles describe: minimal = core
 * only, standard = monitoring and databases, production = HA, security and backup.
 */
import type { AgentPlan, ComponentPlan, Plan } from "../../profiles/plan.js";

export const ACME_PROFILES = ["minimal", "standard", "production"] as const;
export type AcmeProfile = (typeof ACME_PROFILES)[number];

const chart = (repository: string, name: string, version: string): ComponentPlan["chart"] => ({
  repository,
  chart: name,
  version,
});

function component(
  name: string,
  category: ComponentPlan["category"],
  installOrder: number,
  namespace: string,
  c?: ComponentPlan["chart"],
  dependencies: string[] = [],
): ComponentPlan {
  return { name, category, required: category === "core", dependencies, installOrder, namespace, ...(c ? { chart: c } : {}) };
}

const ARGO = "https://argoproj.github.io/argo-helm";

const core: ComponentPlan[] = [
  // acme has a domain and the default ingress_type (nginx): the resolver adds the controller.
  component(
    "ingress-nginx",
    "optional",
    5,
    "ingress-nginx",
    chart("https://kubernetes.github.io/ingress-nginx", "ingress-nginx", "4.14.1"),
  ),
  component("argo-cd", "core", 10, "argocd", chart(ARGO, "argo-cd", "7.8.0")),
  component("argo-workflows", "orchestration", 20, "argo", chart(ARGO, "argo-workflows", "0.45.0")),
  component("argo-events", "orchestration", 30, "argo", chart(ARGO, "argo-events", "2.4.0")),
  component("controller", "core", 40, "cto", undefined, ["argo-workflows", "argo-events"]),
];

const monitoring: ComponentPlan[] = [
  component(
    "monitoring",
    "monitoring",
    3,
    "monitoring",
    chart("https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack", "68.0.0"),
  ),
  component("logging", "monitoring", 51, "monitoring", chart("https://grafana.github.io/helm-charts", "loki", "6.24.0")),
];

const databases: ComponentPlan[] = [
  component("postgres-operator", "database", 60, "databases", chart("https://cloudnative-pg.github.io/charts", "cloudnative-pg", "0.23.0")),
  component("redis-operator", "database", 61, "databases", chart("https://ot-container-kit.github.io/helm-charts", "redis-operator", "0.19.0")),
];

const production: ComponentPlan[] = [
  component("cert-manager", "security", 5, "cert-manager", chart("https://charts.jetstack.io", "cert-manager", "1.16.2")),
  component("backup", "optional", 70, "velero", chart("https://vmware-tanzu.github.io/helm-charts", "velero", "8.1.0")),
];

const agent = (name: string, cpu: string, memory: string, extra: Partial<AgentPlan> = {}): AgentPlan => ({
  name,
  resources: { cpu, memory },
  features: {},
  ...extra,
});

/** A hand-written plan for `acme` under the given profile. */
export function acmePlan(profile: AcmeProfile): Plan {
  const standard = profile !== "minimal";
  const prod = profile === "production";
  const components = [...core, ...(standard ? [...monitoring, ...databases] : []), ...(prod ? production : [])].sort(
    (a, b) => a.installOrder - b.installOrder || a.name.localeCompare(b.name),
  );
  const namespaces: Record<string, string> = {
    platform: "cto",
    argocd: "argocd",
    argo: "argo",
    ingressNginx: "ingress-nginx",
  };
  if (standard) Object.assign(namespaces, { monitoring: "monitoring", databases: "databases" });
  if (prod) Object.assign(namespaces, { certManager: "cert-manager", backup: "velero" });

  const agents = [agent("rex", "2", "4Gi", { cli: "claude" })];
  if (standard) agents.push(agent("cleo", "1", "2Gi", { cli: "codex", model: "gpt-5-codex" }), agent("tess", "1", "2Gi"));
  if (prod) {
    agents[0] = agent("rex", "4", "8Gi", { cli: "claude" });
    agents.push(agent("morgan", "1", "2Gi", { features: { kubernetes_testing: false, docs: true } }));
  }

  const secretNames = ["registry.password"];
  for (const a of agents) secretNames.push(`github.apps.${a.name}.private_key`);

  return {
    planVersion: 1,
    configVersion: "0.1.0",
    environment: prod ? "prod" : "dev",
    production: prod,
    release: "0.1.0",
    profile: {
      name: profile,
      description: `${profile} profile`,
      estimatedInstallMinutes: prod ? 30 : standard ? 15 : 5,
      // What the plan requests with every allowed feature on (profiles/requirements.ts, the ingress
      // controller included: acme has a domain); an existing
      // cluster adds no system share of its own.
      requirements: {
        memoryGiB: prod ? 29 : standard ? 16 : 12,
        cpu: prod ? 15 : standard ? 9 : 6,
        diskGiB: prod ? 49 : standard ? 27 : 21,
        clusterKind: "existing",
      },
    },
    platform: {
      name: "acme-platform",
      domain: "acme.example",
      namespace: "cto",
      ingressType: "nginx",
      labels: { "cto.dev/platform": "acme-platform" },
    },
    namespaces,
    cluster: { provider: "existing", name: "acme" },
    features: {
      monitoring: standard,
      databases: standard,
      mailNotifications: false,
      backup: prod,
      highAvailability: prod,
      security: prod,
    },
    components,
    agents,
    github: {
      organization: "acme",
      repository: "platform",
      baseUrl: "https://api.github.com",
      webhookUrl: "https://webhooks.acme.example/github",
      apps: agents.map((a) => ({ agent: a.name, appName: `acme-${a.name}` })),
      tunnel: { provider: "none" },
    },
    registry: {
      type: "generic",
      url: "registry.acme.example",
      namespace: "platform",
      username: "deploy",
      hasCredentials: true,
    },
    // acme mirrors the platform's images into its own registry (registry.platform_images: mirror).
    images: {
      source: "mirror",
      controller: { registry: "registry.acme.example", repository: "platform/controller", tag: "v0.2.50" },
      agents: {
        claude: { registry: "registry.acme.example", repository: "platform/claude", tag: "v2.1.54" },
        codex: { registry: "registry.acme.example", repository: "platform/codex", tag: "v0.101.0" },
      },
      pullSecret: true,
    },
    ...(prod
      ? {
          backup: {
            provider: "s3-compatible",
            bucket: "acme-backups",
            region: "eu-west-1",
            endpoint: "https://s3.acme.example",
            schedule: "0 2 * * *",
            ttl: "720h",
          },
        }
      : {}),
    state: { secretsProvider: "passphrase" },
    secretNames: secretNames.sort(),
  };
}

/** `plan` switched to Traefik instead of ingress-nginx, on a kind cluster (in place; returns it). */
export function useTraefikOnKind(plan: Plan, kubeconfigPath: string): Plan {
  plan.platform.ingressType = "traefik";
  plan.cluster = {
    provider: "kind",
    name: "acme",
    version: "v1.32.0",
    nodeImage: "kindest/node:v1.32.0",
    portMappings: [80, 443],
    kubeconfigPath,
  };
  plan.components = plan.components.map((c) =>
    c.name === "ingress-nginx"
      ? {
          ...c,
          name: "traefik",
          namespace: "traefik",
          chart: { repository: "https://traefik.github.io/charts", chart: "traefik", version: "37.3.0" },
        }
      : c,
  );
  return plan;
}
