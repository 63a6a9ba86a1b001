/**
 * The infrastructure program: `buildPlatform(plan, secrets)` turns a resolved plan into the
 * resource graph. It runs inside a Pulumi program: the lifecycle's Automation API inline program
 * and `stacks/pulumi-main.ts` (the `main` of each stack's workspace `Pulumi.yaml`) both call it, so
 * `cto pulumi --env <env> -- preview` (the plain Pulumi CLI) shows exactly what `cto up` would do.
 *
 * Steps: reject setting combinations that cannot be built (`assertBuildablePlan`), render the
 * plan (`renderPlatform`: every organisation-specific value), then create the components,
 * wiring them through outputs and explicit `dependsOn` (never through nesting):
 *
 *     Cluster ─► PlatformBase ─► Monitoring ─► Security, Databases, Backup, ArgoStack
 *                             ├► Registry, GitHubApps, Tunnel
 *                             └► Controller: the platform's own objects, or a controller chart
 *                                (after Argo Workflows and Events, GitHubApps, Registry, Monitoring)
 *
 * Monitoring comes first among the releases because the other charts' ServiceMonitors and
 * PodMonitors need its CRDs. Optional components are created only when the plan enables them;
 * the plan (profile + features) decides, this function does not second-guess it.
 *
 * Component resource names are fixed role names ("cluster", "base", "argo", ...), never derived
 * from the organisation or platform name, so renaming the platform does not replace resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { ArgoStack } from "../components/argo-stack.js";
import { Backup } from "../components/backup.js";
import { Cluster, type ClusterArgs } from "../components/cluster/cluster.js";
import { Controller } from "../components/controller.js";
import { Databases } from "../components/databases.js";
import { GitHubApps } from "../components/github-apps.js";
import { Ingress } from "../components/ingress.js";
import { Monitoring } from "../components/monitoring.js";
import { PlatformBase } from "../components/platform-base.js";
import { Registry } from "../components/registry.js";
import { Security } from "../components/security.js";
import { Tunnel } from "../components/tunnel.js";
import { assertBuildablePlan } from "../components/validate.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { webhookReceiverService } from "../profiles/webhooks.js";
import { renderPlatform } from "../templates/render.js";
import type { RenderedValues } from "../templates/rendered.js";

/** Inputs of the program besides the plan and its secrets, all optional. */
export interface BuildOptions {
  /** Already rendered values (the caller rendered and stored the random store itself). */
  rendered?: RenderedValues;
  /** Template random store (stack config `cto:random`); new values are added to it. */
  randomStore?: Record<string, string>;
  /** Environment for `{{env ...}}` in templates; defaults to none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Host-specific inputs of the cluster: existing kubeconfig content, SSH access, kwok paths. */
  cluster?: Omit<ClusterArgs, "plan">;
  /**
   * Set the agents' GitHub App webhooks (URL and secret) on GitHub.
   * @default true
   */
  githubWebhooks?: boolean;
}

/** Web addresses of the platform; null where no domain or ingress makes one. */
export interface AccessUrls {
  argocd: string | null;
  workflows: string | null;
  grafana: string | null;
  webhooks: string | null;
}

/** What the program exports as stack outputs. */
export interface PlatformOutputs {
  clusterEndpoint: pulumi.Output<string>;
  clusterProvider: string;
  urls: AccessUrls;
  /** Namespaces by role. */
  namespaces: Record<string, string>;
  /** Installed versions: platform release, cluster software, and each chart component. */
  versions: Record<string, string>;
  /** Argo CD admin password (secret), when Argo CD is installed. */
  argocdAdminPassword?: pulumi.Output<string>;
  /** Grafana admin password (secret), when monitoring is installed. */
  grafanaAdminPassword?: pulumi.Output<string>;
  /**
   * Each agent's GitHub App webhook secret, by agent: the stored one or the one generated in the
   * stack. `cto github test-webhook` signs with it. One secret output as a whole: a plain map of
   * secret outputs would be exported unmasked (the engine marks only a top-level secret, and `cto
   * up`/`cto status` print every output that is not one).
   */
  appWebhookSecrets: pulumi.Output<Record<string, string>>;
  /** Stack secrets the platform will read but that are not set yet, by Kubernetes Secret purpose. */
  missingCredentials: Record<string, string[]>;
}

/** Builds the whole platform for a plan; call inside a Pulumi program. */
export function buildPlatform(plan: Plan, secrets: PlanSecrets, options: BuildOptions = {}): PlatformOutputs {
  assertBuildablePlan(plan, secrets);
  const rendered =
    options.rendered ?? renderPlatform(plan, { env: options.env ?? {}, randomStore: options.randomStore ?? {} });
  const common = { plan, rendered };

  const cluster = new Cluster("cluster", { plan, ...options.cluster });
  const provider = cluster.provider;
  const base = new PlatformBase("base", { plan, provider });
  const has = (...names: string[]) => plan.components.some((c) => names.includes(c.name));
  const monitoring = has("monitoring", "logging")
    ? new Monitoring("monitoring", { ...common, provider, base })
    : undefined;
  const crds: pulumi.Resource[] = monitoring ? [monitoring] : [];

  const security =
    plan.features.security || has("cert-manager")
      ? new Security("security", { ...common, provider, base, after: crds })
      : undefined;
  const databases = has("postgres-operator", "redis-operator")
    ? new Databases("databases", { ...common, provider, base, after: crds })
    : undefined;
  const backup = has("backup") ? new Backup("backup", { ...common, secrets, provider, base, after: crds }) : undefined;
  const argo = new ArgoStack("argo", { ...common, provider, base, after: crds });
  const registry = new Registry("registry", { ...common, secrets, provider, base });
  const githubApps = new GitHubApps("github", {
    ...common,
    secrets,
    provider,
    base,
    manageWebhook: options.githubWebhooks ?? true,
  });
  const controller = new Controller("controller", {
    ...common,
    secrets,
    provider,
    base,
    // The releases its plan dependencies name (Argo Workflows and Events), not the whole Argo stack.
    releases: argo.releases,
    after: [githubApps, registry, ...crds],
  });
  const ingress = new Ingress("ingress", {
    ...common,
    provider,
    base,
    receiver: webhookReceiverService(plan),
    after: [controller],
  });
  if (plan.github.tunnel.provider !== "none") {
    new Tunnel("tunnel", { ...common, secrets, provider, base, after: [controller] });
  }

  const versions: Record<string, string> = { platform: plan.release };
  if (cluster.version) versions[`cluster-${cluster.providerName}`] = cluster.version;
  for (const component of [monitoring, security, databases, backup, argo, controller, ingress]) {
    if (component) Object.assign(versions, component.versions);
  }

  return {
    clusterEndpoint: cluster.endpoint,
    clusterProvider: cluster.providerName,
    urls: accessUrls(rendered),
    namespaces: base.namespaceNames,
    versions: Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b))),
    ...(argo.adminPassword ? { argocdAdminPassword: argo.adminPassword } : {}),
    ...(monitoring?.grafanaAdminPassword ? { grafanaAdminPassword: monitoring.grafanaAdminPassword } : {}),
    appWebhookSecrets: pulumi.secret(pulumi.all(githubApps.appWebhookSecrets)),
    missingCredentials: githubApps.missingCredentials,
  };
}

/** Web addresses from the rendered ingress hosts: https when TLS is on, none without ingress. */
export function accessUrls(rendered: RenderedValues): AccessUrls {
  const scheme = rendered.ingress.tls.enabled ? "https" : "http";
  const url = (role: string) => {
    const host = rendered.ingressHosts[role];
    return rendered.ingress.enabled && host ? `${scheme}://${host}` : null;
  };
  return { argocd: url("argocd"), workflows: url("workflows"), grafana: url("grafana"), webhooks: url("webhooks") };
}
