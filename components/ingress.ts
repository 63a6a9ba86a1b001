/**
 * `Ingress` (`cto:ingress:Ingress`): how web traffic reaches a platform that has a domain.
 *
 * - The ingress controller `platform.ingress_type` names: the official ingress-nginx or Traefik
 *   chart, pinned by the platform release (the plan's `ingress-nginx` / `traefik` component; the
 *   resolver enables it only with `platform.domain`).
 * - The Ingress of `webhooks.<domain>`: one path per enabled agent, the path of that agent's App
 *   webhook (`agentWebhookPath`, profiles/webhooks.ts, the same function the EventSource's
 *   endpoints and the URL registered on GitHub come from), to the webhook receiver's Service.
 *   The Argo CD and Argo Workflows UIs get their Ingresses from their own charts' values
 *   (`templates/values/argo-*.yaml.hbs`), on the same class and hosts.
 *
 * With `ingress_type: none`, or without a domain, nothing is created: whoever runs the cluster's
 * own ingress or proxy routes the traffic (`cto status` names the host, paths and Service).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../profiles/plan.js";
import { agentWebhookPath, type ServiceRef } from "../profiles/webhooks.js";
import type { RenderedValues } from "../templates/rendered.js";
import { createChartRelease, findComponent } from "./chart-release.js";
import { platformLabels } from "./labels.js";
import type { PlatformBase } from "./platform-base.js";

/** Plan components that are ingress controllers, by `platform.ingress_type`. */
export const INGRESS_CONTROLLERS = { nginx: "ingress-nginx", traefik: "traefik" } as const;

/** Name of the Ingress that routes `webhooks.<domain>`. */
export const WEBHOOK_INGRESS_NAME = "cto-webhooks";

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

/** The spec of the webhooks Ingress, or undefined when the plan routes no webhook traffic itself. */
export function webhookIngressSpec(
  plan: Plan,
  rendered: RenderedValues,
  receiver: ServiceRef,
): k8s.types.input.networking.v1.IngressSpec | undefined {
  const host = rendered.ingressHosts.webhooks;
  if (!rendered.ingress.enabled || !rendered.ingress.className || !host) return undefined;
  const backend = { service: { name: receiver.name, port: { number: receiver.port } } };
  return {
    ingressClassName: rendered.ingress.className,
    rules: [
      {
        host,
        http: {
          paths: plan.agents.map((a) => ({ path: agentWebhookPath(plan, a.name), pathType: "Exact", backend })),
        },
      },
    ],
    ...(rendered.ingress.tls.enabled ? { tls: [{ hosts: [host], secretName: `${WEBHOOK_INGRESS_NAME}-tls` }] } : {}),
  };
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
    const spec = webhookIngressSpec(plan, rendered, receiver);
    if (spec) {
      this.webhooks = new k8s.networking.v1.Ingress(
        `${name}-webhooks`,
        {
          metadata: {
            name: WEBHOOK_INGRESS_NAME,
            namespace: receiver.namespace,
            labels: platformLabels(plan, "ingress"),
            // Pulumi would wait for the ingress controller to publish an address (10 min, then fail);
            // whether the route serves is cto status's "Ready for tasks" check, so up does not block.
            annotations: { ...rendered.ingress.annotations, "pulumi.com/skipAwait": "true" },
          },
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
