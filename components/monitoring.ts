/**
 * `Monitoring` (`cto:monitoring:Monitoring`): kube-prometheus-stack (Prometheus, Alertmanager,
 * Grafana) and the log store (Loki), each from the plan's chart source with rendered values.
 *
 * Grafana's admin password is generated once (`GeneratedSecret`) and delivered as a Kubernetes
 * Secret that the chart reads through `grafana.admin.existingSecret`, so the chart values stay
 * free of secrets (readable in previews) and the chart's well-known default password is never
 * used. The log store waits for kube-prometheus-stack because its ServiceMonitor needs the
 * monitoring CRDs; the other components wait for this component for the same reason.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import { GeneratedSecret } from "./generated-secret.js";
import { deepMerge } from "./merge.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret } from "./platform-secret.js";

/** Name of the Secret holding Grafana's admin credentials. */
export const GRAFANA_ADMIN_SECRET = "cto-grafana-admin";

export interface MonitoringArgs {
  plan: Plan;
  rendered: RenderedValues;
  provider: k8s.Provider;
  base: PlatformBase;
}

export class Monitoring extends pulumi.ComponentResource {
  public readonly releases: Record<string, k8s.helm.v3.Release>;
  /** Grafana's admin password (secret), when kube-prometheus-stack is installed. */
  public readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
  public readonly versions: Record<string, string>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:monitoring:Monitoring", name, {}, opts);
    const { plan, rendered } = args;
    this.releases = {};
    this.versions = {};

    const metrics = findComponent(plan.components, "monitoring");
    let grafanaAdminPassword: pulumi.Output<string> | undefined;
    if (metrics) {
      const namespace = args.base.namespace(metrics.namespace);
      const password = new GeneratedSecret(`${name}-grafana-admin-password`, { length: 32 }, { parent: this });
      grafanaAdminPassword = pulumi.secret(password.value);
      const secret = createPlatformSecret(`${name}-grafana-admin`, {
        plan,
        spec: { name: GRAFANA_ADMIN_SECRET, namespace: metrics.namespace, type: "Opaque", keys: {}, openKeys: false },
        values: { "admin-user": "admin", "admin-password": password.value },
        provider: args.provider,
        parent: this,
        dependsOn: [namespace],
        component: "monitoring",
      });
      const values = deepMerge(rendered.helmValues.monitoring ?? {}, {
        grafana: {
          admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
        },
      });
      this.releases.monitoring = createChartRelease(name, {
        component: metrics,
        values,
        provider: args.provider,
        parent: this,
        dependsOn: [namespace, secret],
      });
      this.versions.monitoring = metrics.chart?.version ?? "";
    }

    const logging = findComponent(plan.components, "logging");
    if (logging) {
      this.releases.logging = createChartRelease(name, {
        component: logging,
        values: rendered.helmValues.logging ?? {},
        provider: args.provider,
        parent: this,
        dependsOn: [
          args.base.namespace(logging.namespace),
          ...(this.releases.monitoring ? [this.releases.monitoring] : []),
        ],
      });
      this.versions.logging = logging.chart?.version ?? "";
    }
    this.grafanaAdminPassword = grafanaAdminPassword;
    this.registerOutputs({ grafanaAdminPassword, versions: this.versions });
  }
}
