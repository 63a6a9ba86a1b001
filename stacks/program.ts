/**
 * The infrastructure program: `buildPlatform(plan, secrets)` turns a resolved plan into the
 * resource graph. It runs inside a Pulumi program: the lifecycle's Automation API inline program
 * and `stacks/pulumi-main.ts` (the `Pulumi.yaml` entry) both call it, so `pulumi preview --stack
 * <env>` at the repository root shows exactly what `cto up` would do.
 *
 * Steps: reject setting combinations that cannot be built (`assertBuildablePlan`), render the
 * plan (`renderPlatform`: every organisation-specific value), then create the components in
 * dependency order, wiring them through outputs and explicit `dependsOn`:
 *
 *     Cluster → PlatformBase → ArgoStack
 *
 * Component resource names are fixed role names ("cluster", "base", "argo", ...), never derived
 * from the organisation or platform name, so renaming the platform does not replace resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { ArgoStack } from "../components/argo-stack.js";
import { Cluster, type ClusterArgs } from "../components/cluster/cluster.js";
import { PlatformBase } from "../components/platform-base.js";
import { assertBuildablePlan } from "../components/validate.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
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
}

/** Builds the whole platform for a plan; call inside a Pulumi program. */
export function buildPlatform(plan: Plan, secrets: PlanSecrets, options: BuildOptions = {}): PlatformOutputs {
  assertBuildablePlan(plan, secrets);
  const rendered =
    options.rendered ?? renderPlatform(plan, { env: options.env ?? {}, randomStore: options.randomStore ?? {} });

  const cluster = new Cluster("cluster", { plan, ...options.cluster });
  const provider = cluster.provider;
  const base = new PlatformBase("base", { plan, provider });
  const argo = new ArgoStack("argo", { plan, rendered, provider, base });

  const versions: Record<string, string> = { platform: plan.release };
  if (cluster.version) versions[`cluster-${cluster.providerName}`] = cluster.version;
  Object.assign(versions, argo.versions);

  return {
    clusterEndpoint: cluster.endpoint,
    clusterProvider: cluster.providerName,
    urls: accessUrls(rendered),
    namespaces: base.namespaceNames,
    versions,
    ...(argo.adminPassword ? { argocdAdminPassword: argo.adminPassword } : {}),
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
