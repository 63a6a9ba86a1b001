/**
 * `Backup` (`cto:backup:Backup`): Velero with the object store configured under `backup:` in
 * cto.yaml (rendered into the chart values: storage location, plugin, schedule, retention).
 *
 * The object store's credentials (stack secret `backup.credentials`, a credentials file in the
 * provider's format) are delivered as the Secret the rendered values point Velero at. When no
 * credentials are given — e.g. the nodes have an IAM role — no Secret is created and a warning
 * says how to add one; the chart then relies on the environment's own credentials.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";

export interface BackupArgs {
  plan: Plan;
  rendered: RenderedValues;
  secrets: PlanSecrets;
  provider: k8s.Provider;
  base: PlatformBase;
  after?: pulumi.Input<pulumi.Resource>[];
}

export class Backup extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release | undefined;
  public readonly credentials: k8s.core.v1.Secret | undefined;
  public readonly versions: Record<string, string>;

  constructor(name: string, args: BackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:backup:Backup", name, {}, opts);
    const { plan, rendered } = args;
    this.versions = {};
    const component = findComponent(plan.components, "backup");
    if (component) {
      const namespace = args.base.namespace(component.namespace);
      const spec = rendered.secrets.backup;
      const dependsOn: pulumi.Input<pulumi.Resource>[] = [namespace, ...(args.after ?? [])];
      if (spec) {
        const { values, missing } = resolveSecretKeys("backup", spec, args.secrets);
        if (missing.length === 0) {
          this.credentials = createPlatformSecret(`${name}-credentials`, {
            plan,
            spec,
            values,
            provider: args.provider,
            parent: this,
            dependsOn: [namespace],
            component: "backup",
          });
          dependsOn.push(this.credentials);
        } else {
          pulumi.log.warn(
            `backup: no value for ${missing.join(", ")}; Velero will use the environment's own credentials. ` +
              "To give it a credentials file, set it as a stack secret and run cto up again.",
            this,
          );
        }
      }
      this.release = createChartRelease(name, {
        component,
        values: rendered.helmValues.backup ?? {},
        provider: args.provider,
        parent: this,
        dependsOn,
      });
      this.versions.backup = component.chart?.version ?? "";
    }
    this.registerOutputs({ versions: this.versions });
  }
}
