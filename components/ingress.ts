/**
 * `Ingress` (`cto:ingress:Ingress`): how web traffic reaches a platform that has a domain.
 *
 * - The ingress controller `platform.ingress_type` names: the official ingress-nginx or Traefik
 *   chart, pinned by the platform release (the plan's `ingress-nginx` / `traefik` component; the
 *   resolver enables it only with `platform.domain`).
 * - The Ingress of `webhooks.<domain>` (built by templates/ingress-objects.ts, the function
 *   `cto render` writes it with): one path per enabled agent, the path of that agent's App
 *   webhook, to the webhook receiver's Service.
 *   The Argo CD and Argo Workflows UIs get their Ingresses from their own charts' values
 *   (`templates/values/argo-*.yaml.hbs`), on the same class and hosts.
 *
 * With `ingress_type: none`, or without a domain, nothing is created: whoever runs the cluster's
 * own ingress or proxy routes the traffic (`cto status` names the host, paths and Service).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import type { ServiceRef } from "../profiles/webhooks.js";
import type { RenderedValues } from "../templates/rendered.js";
import { WEBHOOK_INGRESS_NAME, webhookIngressObject, webhookIngressSpec } from "../templates/ingress-objects.js";
import { INGRESS_CONTROLLERS } from "../templates/security-objects.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import type { PlatformBase } from "./platform-base.js";

export { INGRESS_CONTROLLERS };

export { WEBHOOK_INGRESS_NAME, webhookIngressSpec };

export interface IngressArgs {
  plan: Plan;
  rendered: RenderedValues;
  provider: k8s.Provider;
  base: PlatformBase;
  /** The webhook receiver's Service (the platform's EventSource), where webhooks.<domain> goes. */
  receiver: ServiceRef;
  /** Resources the webhook Ingress waits for (the objects that create the receiver's Service). */
  after?: pulumi.Input<pulumi.Resource>[];
}

export class Ingress extends pulumi.ComponentResource {
  /** The controller's Helm release, when the plan installs one. */
  public readonly controller: k8s.helm.v3.Release | undefined;
  public readonly webhooks: k8s.networking.v1.Ingress | undefined;
  public readonly versions: Record<string, string>;

  constructor(name: string, args: IngressArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:ingress:Ingress", name, {}, opts);
    const { plan, rendered, receiver } = args;
    this.versions = {};
    const type = plan.platform.ingressType;
    const component = type === "none" ? undefined : findComponent(plan.components, INGRESS_CONTROLLERS[type]);
    if (component) {
      this.controller = createChartRelease(name, {
        component,
        values: rendered.helmValues[component.name] ?? {},
        provider: args.provider,
        parent: this,
        dependsOn: [args.base.namespace(component.namespace)],
      });
      this.versions[component.name] = component.chart?.version ?? "";
    }
    const webhooks = webhookIngressObject(plan, rendered, receiver);
    if (webhooks) {
      const { metadata, spec } = webhooks as unknown as {
        metadata: k8s.types.input.meta.v1.ObjectMeta & { annotations?: Record<string, string> };
        spec: k8s.types.input.networking.v1.IngressSpec;
      };
      this.webhooks = new k8s.networking.v1.Ingress(
        `${name}-webhooks`,
        {
          // Pulumi would wait for the ingress controller to publish an address (10 min, then fail);
          // whether the route serves is cto status's "Ready for tasks" check, so up does not block.
          metadata: { ...metadata, annotations: { ...metadata.annotations, "pulumi.com/skipAwait": "true" } },
          spec,
        },
        {
          parent: this,
          provider: args.provider,
          dependsOn: [
            args.base.namespace(receiver.namespace),
            ...(this.controller ? [this.controller] : []),
            ...(args.after ?? []),
          ],
        },
      );
    }
    this.registerOutputs({ versions: this.versions });
  }
}
