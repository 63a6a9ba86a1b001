/**
 * `Databases` (`cto:databases:Databases`): the database operators the platform's workloads use —
 * CloudNativePG for PostgreSQL and a Redis operator — from the plan's chart sources with
 * rendered values. Only operators (and their CRDs) are installed here; database instances are
 * created by the workloads that need them, after this component (`after` orders them).
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import type { PlatformBase } from "./platform-base.js";

export const DATABASE_COMPONENTS = ["postgres-operator", "redis-operator"] as const;

export interface DatabasesArgs {
  plan: Plan;
  rendered: RenderedValues;
  provider: k8s.Provider;
  base: PlatformBase;
  /** Resources the operators wait for (the monitoring CRDs their PodMonitors use). */
  after?: pulumi.Input<pulumi.Resource>[];
}

export class Databases extends pulumi.ComponentResource {
  public readonly releases: Record<string, k8s.helm.v3.Release>;
  public readonly versions: Record<string, string>;

  constructor(name: string, args: DatabasesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:databases:Databases", name, {}, opts);
    this.releases = {};
    this.versions = {};
    for (const componentName of DATABASE_COMPONENTS) {
      const component = findComponent(args.plan.components, componentName);
      if (!component) continue;
      this.releases[componentName] = createChartRelease(name, {
        component,
        values: args.rendered.helmValues[componentName] ?? {},
        provider: args.provider,
        parent: this,
        dependsOn: [args.base.namespace(component.namespace), ...(args.after ?? [])],
      });
      this.versions[componentName] = component.chart?.version ?? "";
    }
    this.registerOutputs({ versions: this.versions });
  }
}
