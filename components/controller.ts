/**
 * `Controller` (`cto:controller:Controller`): the CTO platform itself — the controller, the agents
 * it runs and the event wiring that turns GitHub events into agent runs.
 *
 * By default cto ships these objects (`templates/platform/objects/`, rendered into
 * `rendered.platformObjects`): the platform's CRDs (CodeRun, DocsRun), the controller's
 * ServiceAccount, Role, configuration, Deployment and Service, the cto-agent-run
 * WorkflowTemplate, and the Argo Events EventBus, GitHub EventSource (the webhook receiver) and
 * one Sensor per agent. What waits for what, and why (nothing else is ordered):
 * - the CRDs, accounts, permissions, configuration and the Service need only the namespace;
 * - the Deployment and the Argo objects wait for all of those (their accounts, configuration,
 *   the CodeRun/DocsRun kinds), the Secrets the pod mounts or pulls with (`after`: GitHub App
 *   Secrets, pull secret; API keys and SMTP here), the monitoring CRDs (`after`), and the releases
 *   of the components the plan says the controller depends on (`releases`: Argo Workflows and
 *   Argo Events, whose CRDs the WorkflowTemplate, EventBus, EventSource and Sensors are). Argo CD
 *   is not among them: nothing here needs it, so it installs alongside.
 *
 * With `charts.controller.repository` in cto.yaml the plan gives the component a chart instead:
 * then that chart is installed with values from `templates/values/controller.yaml.hbs`, plus the
 * configuration ConfigMap it reads, as before cto shipped the objects (for forks and mirrors of
 * the upstream chart). Either way the agents' model-provider API keys Secret (every stack secret
 * `agent-api-keys.<NAME>` becomes key `NAME`) and, when mail is configured, the SMTP Secret are
 * created here. The chart waits for the same releases, Secrets and CRDs as the objects'
 * Deployment.
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
  /** What the workloads wait for besides `releases`: GitHub Secrets, pull secret, monitoring CRDs. */
  after?: pulumi.Input<pulumi.Resource>[];
  /**
   * Releases of other components by name; those named in the controller's plan dependencies
   * (Argo Workflows and Argo Events: the CRDs of its Argo objects) are waited for.
   */
  releases?: Partial<Record<string, pulumi.Resource>>;
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
      const needed = component.dependencies.flatMap((d) => {
        const release = args.releases?.[d];
        return release ? [release] : [];
      });
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
        const dependsOn = [namespace, this.configMap, ...secrets, ...needed, ...(args.after ?? [])];
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
        const create = (object: PlatformObject, dependsOn: pulumi.Input<pulumi.Resource>[]) =>
          (this.objects[`${object.kind}/${object.metadata.name}`] = createPlatformObject(name, object, {
            ...options,
            dependsOn,
          }));
        const rest = rendered.platformObjects.filter((o) => !isCrd(o));
        // Accounts, permissions, configuration and the Service need nothing but the namespace
        // (a Role may name kinds whose CRDs do not exist yet), so they are made while charts install.
        const setup = rest.filter(isSetup).map((object) => create(object, [namespace]));
        // The workloads and Argo objects need all of it: see the file's comment.
        const workloads = [namespace, ...crds, ...setup, ...secrets, ...needed, ...(args.after ?? [])];
        for (const object of rest.filter((o) => !isSetup(o))) create(object, workloads);
        this.versions.controller = plan.images.controller.tag;
      }
    }
    this.registerOutputs({ versions: this.versions });
  }
}
