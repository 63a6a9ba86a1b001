/**
 * `Controller` (`cto:controller:Controller`): the CTO platform itself — the controller and the
 * agents it runs — from the chart the plan names (repository, chart and version configurable, so
 * a fork or a mirror works the same), with values rendered from `templates/values/controller.yaml.hbs`
 * (agents, their resources, images, GitHub App names and Secret references: nothing here builds
 * an organisation-specific string).
 *
 * Besides the release it creates what the chart reads but does not own:
 * - the controller configuration ConfigMap (`cto-config.json` rendered from
 *   `templates/platform/controller-config.yaml.hbs`), named and keyed as the rendered values say;
 * - the agents' model-provider API keys Secret (open keys: every stack secret
 *   `agent-api-keys.<NAME>` becomes key `NAME`) and, when mail is configured, the SMTP Secret.
 *
 * The chart ships the controller's CRDs, so they are installed with it; the release waits for
 * the Argo stack (it creates Workflows and Sensors), the GitHub App Secrets, the pull secret and
 * the monitoring CRDs — the caller passes those in `after`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { stableJson } from "../templates/stable.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import { platformLabels } from "./labels.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";

/** Rendered Secrets this component delivers (the others belong to GitHubApps, Registry, Backup, Tunnel). */
export const CONTROLLER_SECRETS = ["agent-api-keys", "smtp"] as const;

export interface ControllerArgs {
  plan: Plan;
  rendered: RenderedValues;
  secrets: PlanSecrets;
  provider: k8s.Provider;
  base: PlatformBase;
  /** What the release waits for: the Argo stack, GitHub Secrets, pull secret, monitoring CRDs. */
  after?: pulumi.Input<pulumi.Resource>[];
}

/** Where the chart expects the controller configuration: ConfigMap name and key, from the values. */
export function controllerConfigLocation(values: Record<string, unknown> | undefined): { name: string; key: string } {
  const config = (values?.config ?? {}) as { existingConfigMap?: unknown; key?: unknown };
  if (typeof config.existingConfigMap !== "string" || typeof config.key !== "string") {
    throw new Error(
      "templates/values/controller.yaml.hbs must set config.existingConfigMap and config.key (where the controller reads cto-config.json)",
    );
  }
  return { name: config.existingConfigMap, key: config.key };
}

export class Controller extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release | undefined;
  public readonly configMap: k8s.core.v1.ConfigMap | undefined;
  public readonly versions: Record<string, string>;

  constructor(name: string, args: ControllerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:controller:Controller", name, {}, opts);
    const { plan, rendered } = args;
    this.versions = {};
    const component = findComponent(plan.components, "controller");
    if (component) {
      const namespace = args.base.namespace(component.namespace);
      const values = rendered.helmValues.controller ?? {};
      const location = controllerConfigLocation(values);
      this.configMap = new k8s.core.v1.ConfigMap(
        `${name}-config`,
        {
          metadata: { name: location.name, namespace: component.namespace, labels: platformLabels(plan, "controller") },
          data: { [location.key]: stableJson(rendered.controllerConfig) },
        },
        { parent: this, provider: args.provider, dependsOn: [namespace] },
      );

      const dependsOn: pulumi.Input<pulumi.Resource>[] = [namespace, this.configMap, ...(args.after ?? [])];
      for (const purpose of CONTROLLER_SECRETS) {
        const spec = rendered.secrets[purpose];
        if (!spec) continue;
        const { values: keys } = resolveSecretKeys(purpose, spec, args.secrets);
        dependsOn.push(
          createPlatformSecret(`${name}-${purpose}`, {
            plan,
            spec,
            values: keys,
            provider: args.provider,
            parent: this,
            dependsOn: [args.base.namespace(spec.namespace)],
            component: "controller",
          }),
        );
      }
      this.release = createChartRelease(name, { component, values, provider: args.provider, parent: this, dependsOn });
      this.versions.controller = component.chart?.version ?? "";
    }
    this.registerOutputs({ versions: this.versions });
  }
}
