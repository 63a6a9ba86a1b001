/**
 * `ArgoStack` (`cto:argo:ArgoStack`): Argo CD, Argo Workflows and Argo Events as Helm releases
 * from the chart sources in the plan (official argo-helm charts by default, versions pinned in
 * `profiles/versions.yaml`, every source overridable for mirrors).
 *
 * Values are the rendered ones (`templates/values/argo-*.yaml.hbs`: HA replicas, ingress hosts,
 * labels); the only value added here is Argo CD's admin password, generated once
 * (`GeneratedSecret`) and passed to the chart as a bcrypt hash. Because that hash is a secret,
 * the Argo CD release's values are shown as `[secret]` in previews; the plain values can be seen
 * with `cto render`. The password itself is the `adminPassword` output.
 *
 * Ordering: each release waits for its namespace and for the releases named in `after` (e.g. the
 * monitoring stack, whose CRDs the ServiceMonitors in these charts need), and for the releases its
 * plan dependencies name, if any. The profiles give Workflows and Events none (they need nothing of
 * Argo CD), so the three install in parallel.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import { GeneratedSecret } from "./generated-secret.js";
import { deepMerge } from "./merge.js";
import { stableBcrypt } from "./password-hash.js";
import type { PlatformBase } from "./platform-base.js";

/** The plan components this stack installs, in dependency order. */
export const ARGO_COMPONENTS = ["argo-cd", "argo-workflows", "argo-events"] as const;

export interface ArgoStackArgs {
  plan: Plan;
  rendered: RenderedValues;
  provider: k8s.Provider;
  base: PlatformBase;
  /** Resources every release waits for besides its namespace (CRD-providing releases). */
  after?: pulumi.Input<pulumi.Resource>[];
}

export class ArgoStack extends pulumi.ComponentResource {
  /** Releases by component name (only those in the plan). */
  public readonly releases: Partial<Record<(typeof ARGO_COMPONENTS)[number], k8s.helm.v3.Release>>;
  /** Argo CD's admin password (secret), when Argo CD is installed. */
  public readonly adminPassword: pulumi.Output<string> | undefined;
  /** Installed chart versions by component name. */
  public readonly versions: Record<string, string>;

  constructor(name: string, args: ArgoStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:argo:ArgoStack", name, {}, opts);
    const { plan, rendered } = args;
    this.releases = {};
    this.versions = {};

    let adminPassword: pulumi.Output<string> | undefined;
    for (const componentName of ARGO_COMPONENTS) {
      const component = findComponent(plan.components, componentName);
      if (!component) continue;
      let values: pulumi.Input<Record<string, unknown>> = rendered.helmValues[componentName] ?? {};
      if (componentName === "argo-cd") {
        const password = new GeneratedSecret(`${name}-argocd-admin-password`, { length: 32 }, { parent: this });
        adminPassword = pulumi.secret(password.value);
        const base = values as Record<string, unknown>;
        values = pulumi.secret(
          password.value.apply((p) =>
            deepMerge(base, { configs: { secret: { argocdServerAdminPassword: stableBcrypt(p) } } }),
          ),
        );
      }
      const dependsOn: pulumi.Input<pulumi.Resource>[] = [
        args.base.namespace(component.namespace),
        ...(args.after ?? []),
      ];
      for (const dependency of component.dependencies) {
        const release = this.releases[dependency as (typeof ARGO_COMPONENTS)[number]];
        if (release) dependsOn.push(release);
      }
      this.releases[componentName] = createChartRelease(name, {
        component,
        values,
        provider: args.provider,
        parent: this,
        dependsOn,
      });
      this.versions[componentName] = component.chart?.version ?? "";
    }
    this.adminPassword = adminPassword;
    this.registerOutputs({ adminPassword: this.adminPassword, versions: this.versions });
  }
}
