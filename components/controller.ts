/**
 * `Controller` (`cto:controller:Controller`): the CTO platform itself — the controller, the agents
 * it runs and the event wiring that turns GitHub events into agent runs.
 *
 * By default cto ships these objects (`templates/platform/objects/`, rendered into
 * `rendered.platformObjects`): the platform's CRDs (CodeRun, DocsRun), the controller's
 * ServiceAccount, Role, configuration, Deployment and Service, the cto-agent-run
 * WorkflowTemplate, and the Argo Events EventBus, GitHub EventSource (the webhook receiver) and
 * one Sensor per agent. CRDs are created first; everything else waits for them, the namespace and
 * what the caller passes in `after` (the Argo stack that brings the Argo CRDs, the GitHub App
 * Secrets, the pull secret, the monitoring CRDs).
 *
 * With `charts.controller.repository` in cto.yaml the plan gives the component a chart instead:
 * then that chart is installed with values from `templates/values/controller.yaml.hbs`, plus the
 * configuration ConfigMap it reads, as before cto shipped the objects (for forks and mirrors of
 * the upstream chart). Either way the agents' model-provider API keys Secret (every stack secret
 * `agent-api-keys.<NAME>` becomes key `NAME`) and, when mail is configured, the SMTP Secret are
 * created here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { stableJson } from "../templates/stable.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import { platformLabels } from "./labels.js";
import type { PlatformObject } from "../templates/platform-objects.js";
import { createPlatformObject, isCrd, isSetup } from "./platform-objects.js";
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
  /** The platform's own objects by `kind/name` (empty when a chart is installed instead). */
  public readonly objects: Record<string, pulumi.CustomResource>;
  public readonly versions: Record<string, string>;

  constructor(name: string, args: ControllerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:controller:Controller", name, {}, opts);
    const { plan, rendered } = args;
    this.versions = {};
    this.objects = {};
    const component = findComponent(plan.components, "controller");
    if (component) {
      const namespace = args.base.namespace(component.namespace);
      const secrets: pulumi.Resource[] = [];
      for (const purpose of CONTROLLER_SECRETS) {
        const spec = rendered.secrets[purpose];
        if (!spec) continue;
        const { values: keys } = resolveSecretKeys(purpose, spec, args.secrets);
        secrets.push(
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
      if (component.chart) {
        const values = rendered.helmValues.controller ?? {};
        const location = controllerConfigLocation(values);
        this.configMap = new k8s.core.v1.ConfigMap(
          `${name}-config`,
          {
            metadata: {
              name: location.name,
              namespace: component.namespace,
              labels: platformLabels(plan, "controller"),
            },
            data: { [location.key]: stableJson(rendered.controllerConfig) },
          },
          { parent: this, provider: args.provider, dependsOn: [namespace] },
        );
        const dependsOn = [namespace, this.configMap, ...secrets, ...(args.after ?? [])];
        this.release = createChartRelease(name, {
          component,
          values,
          provider: args.provider,
          parent: this,
          dependsOn,
        });
        this.versions.controller = component.chart.version;
      } else {
        const options = { parent: this, provider: args.provider };
        const crds = rendered.platformObjects.filter(isCrd).map((object) => {
          const created = createPlatformObject(name, object, { ...options, dependsOn: [namespace] });
          this.objects[`${object.kind}/${object.metadata.name}`] = created;
          return created;
        });
        const dependsOn = [namespace, ...crds, ...secrets, ...(args.after ?? [])];
        // Accounts, permissions and configuration before the workloads and Argo objects using them.
        const create = (object: PlatformObject, after: pulumi.Resource[]) =>
          (this.objects[`${object.kind}/${object.metadata.name}`] = createPlatformObject(name, object, {
            ...options,
            dependsOn: [...dependsOn, ...after],
          }));
        const rest = rendered.platformObjects.filter((o) => !isCrd(o));
        const setup = rest.filter(isSetup).map((object) => create(object, []));
        for (const object of rest.filter((o) => !isSetup(o))) create(object, setup);
        this.versions.controller = plan.images.controller.tag;
      }
    }
    this.registerOutputs({ versions: this.versions });
  }
}
