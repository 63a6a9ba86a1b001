/**
 * The data templates see: a view of the `Plan` in which every optional field is present (as
 * `null` when unset), so that strict mode can tell a real mistake (a misspelt name) from an unset
 * option, plus each agent's role from `agent-roles.yaml`.
 *
 * No organisation-specific string is composed here: names, hosts and images are built by the
 * templates from these values.
 */
import type { Plan } from "../profiles/plan.js";
import {
  WEBHOOK_EVENT_SOURCE,
  WEBHOOK_RECEIVER_PORT,
  agentWebhookPath,
  agentWebhookUrl,
} from "../profiles/webhooks.js";
import type { AgentRole, AgentRoles } from "./sources.js";
import { veleroPluginVersion } from "./velero-plugins.js";

/** The velero chart assumed when a plan with backup has no backup component (hand-written plans). */
const VELERO_DEFAULT_CHART = "12.1.0";

export interface AgentView {
  name: string;
  /** The name people see: the agent's name, capitalised. */
  displayName: string;
  /** What its runs are (CodeRun runType): intake, implementation, or review for reviewing roles. */
  runType: "intake" | "implementation" | "review";
  cli: string;
  model: string | null;
  resources: { cpu: string; memory: string };
  features: Record<string, boolean>;
  role: AgentRole & { name: string };
  app: { slug: string | null; appId: string | null; clientId: string | null };
  /** Where GitHub delivers this agent's App webhooks (`profiles/webhooks.ts`); url null without one. */
  webhook: { path: string; url: string | null; origin: string | null };
}

/** The template context before anything is rendered. Later phases add rendered parts to it. */
export interface TemplateContext {
  environment: string;
  production: boolean;
  release: string;
  profile: { name: string };
  platform: {
    name: string;
    domain: string | null;
    namespace: string;
    ingressType: "none" | "nginx" | "traefik";
    labels: Record<string, string>;
  };
  /** Where the platform runs (kind publishes the node's ports 80/443 for an ingress controller). */
  cluster: { provider: Plan["cluster"]["provider"] };
  features: Plan["features"];
  /** Namespaces by role, and the distinct namespaces sorted. */
  namespaces: Record<string, string>;
  namespaceList: string[];
  github: {
    organization: string;
    repository: string;
    /** `owner/repo`. */
    fullRepository: string;
    baseUrl: string;
    /** The web address matching `baseUrl` (github.com, or the Enterprise Server host). */
    webUrl: string;
    webhookUrl: string | null;
    tunnel: Plan["github"]["tunnel"]["provider"];
    /** The webhook receiver (the EventSource) and its port (`profiles/webhooks.ts`). */
    receiver: { eventSource: string; port: number };
  };
  registry: { type: string; url: string; namespace: string | null; username: string | null; hasCredentials: boolean };
  /** The platform's images as placed by the plan (pinned by the release, or relocated to a mirror). */
  platformImages: Plan["images"];
  /** Enabled agents, sorted by name. */
  agents: AgentView[];
  /** For each play slot (implementation, quality, testing, security) and for intake: the first agent in that role, or null. */
  roleAgents: Record<string, string | null>;
  /** Components by name: namespace and chart. */
  components: Record<
    string,
    { namespace: string; chart: { repository: string; chart: string; version: string } | null }
  >;
  backup: {
    provider: string;
    bucket: string | null;
    region: string | null;
    endpoint: string | null;
    resourceGroup: string | null;
    storageAccount: string | null;
    /** Version of the object-store plugin image, paired with the Velero of the backup chart. */
    pluginVersion: string;
    schedule: string;
    ttl: string;
  } | null;
  /** The SMTP server the controller mails through (`features.mailNotifications`), else null. */
  mail: Plan["mail"] | null;
  /** Names of the stack secrets the plan provides (never their values). */
  secretNames: string[];
}

const ROLE_SLOTS = ["intake", "implementation", "quality", "testing", "security"] as const;

/** The address people open in a browser for a GitHub API base URL. */
export function githubWebUrl(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  // GitHub Enterprise Server serves its API under /api/v3 on the same host.
  return `${url.protocol}//${url.host}`;
}

/** Builds the template context for a plan. */
export function buildContext(plan: Plan, roles: AgentRoles): TemplateContext {
  const agents = [...plan.agents]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((agent): AgentView => {
      const roleName = roles.agents[agent.name] ?? roles.default_role;
      const role = roles.roles[roleName] as AgentRole;
      const app = plan.github.apps.find((a) => a.agent === agent.name);
      return {
        name: agent.name,
        displayName: agent.name.charAt(0).toUpperCase() + agent.name.slice(1),
        runType: roleName === "intake" ? "intake" : roleName === "implementation" ? "implementation" : "review",
        cli: agent.cli ?? roles.default_cli,
        model: agent.model ?? null,
        resources: { cpu: String(agent.resources.cpu), memory: agent.resources.memory },
        features: sortKeys(agent.features),
        role: { name: roleName, ...role },
        app: { slug: app?.slug ?? null, appId: app?.appId ?? null, clientId: app?.clientId ?? null },
        webhook: {
          path: agentWebhookPath(plan, agent.name),
          url: agentWebhookUrl(plan, agent.name) ?? null,
          origin: plan.github.webhookUrl ? new URL(plan.github.webhookUrl).origin : null,
        },
      };
    });

  const roleAgents: Record<string, string | null> = {};
  for (const slot of ROLE_SLOTS) {
    roleAgents[slot] = agents.find((a) => a.role.name === slot || a.role.play === slot)?.name ?? null;
  }

  const components: TemplateContext["components"] = {};
  for (const c of plan.components) {
    components[c.name] = { namespace: c.namespace, chart: c.chart ? { ...c.chart } : null };
  }

  return {
    environment: plan.environment,
    production: plan.production,
    release: plan.release,
    profile: { name: plan.profile.name },
    platform: {
      name: plan.platform.name,
      domain: plan.platform.domain ?? null,
      namespace: plan.platform.namespace,
      ingressType: plan.platform.ingressType,
      labels: sortKeys(plan.platform.labels),
    },
    cluster: { provider: plan.cluster.provider },
    features: { ...plan.features },
    namespaces: sortKeys(plan.namespaces),
    namespaceList: [...new Set([plan.platform.namespace, ...Object.values(plan.namespaces)])].sort(),
    github: {
      organization: plan.github.organization,
      repository: plan.github.repository,
      fullRepository: `${plan.github.organization}/${plan.github.repository}`,
      baseUrl: plan.github.baseUrl,
      webUrl: githubWebUrl(plan.github.baseUrl),
      webhookUrl: plan.github.webhookUrl ?? null,
      tunnel: plan.github.tunnel.provider,
      receiver: { eventSource: WEBHOOK_EVENT_SOURCE, port: WEBHOOK_RECEIVER_PORT },
    },
    registry: {
      type: plan.registry.type,
      url: plan.registry.url,
      namespace: plan.registry.namespace === "" ? null : plan.registry.namespace,
      username: plan.registry.username ?? null,
      hasCredentials: plan.registry.hasCredentials,
    },
    platformImages: plan.images,
    agents,
    roleAgents,
    components,
    backup: plan.backup
      ? {
          provider: plan.backup.provider,
          bucket: plan.backup.bucket ?? null,
          region: plan.backup.region ?? null,
          endpoint: plan.backup.endpoint ?? null,
          resourceGroup: plan.backup.resourceGroup ?? null,
          storageAccount: plan.backup.storageAccount ?? null,
          pluginVersion: veleroPluginVersion(
            plan.components.find((c) => c.name === "backup")?.chart?.version ?? VELERO_DEFAULT_CHART,
          ),
          schedule: plan.backup.schedule,
          ttl: plan.backup.ttl,
        }
      : null,
    mail: plan.mail ? { ...plan.mail } : null,
    secretNames: [...plan.secretNames].sort(),
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
