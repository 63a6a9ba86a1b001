/**
 * `Tunnel` (`cto:tunnel:Tunnel`): brings GitHub's webhook deliveries into a cluster that has no
 * public address, with the relay the config names (`github.tunnel.provider`: cloudflare, ngrok or
 * smee; templates/tunnel-objects.ts says what each runs). It creates the rendered `tunnel` Secret
 * from the stack secret `github.tunnel.token` (cloudflare, ngrok) and the relay's Deployment,
 * built by `tunnelDeploymentObject`, the function `cto render` writes it with.
 *
 * Either way the public URL is known before anything runs, so the Apps' webhook URL is set
 * (`publicWebhookUrl`, profiles/webhooks.ts; `cto up` and `cto status` print the route to
 * configure). `none` creates nothing.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import {
  relayContainers,
  SMEE_CLIENT,
  TUNNEL_IMAGES,
  tunnelDeploymentObject,
  type RelayContainer,
} from "../templates/tunnel-objects.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";

export { relayContainers, SMEE_CLIENT, TUNNEL_IMAGES, type RelayContainer };

export interface TunnelArgs {
  plan: Plan;
  rendered: RenderedValues;
  secrets: PlanSecrets;
  provider: k8s.Provider;
  base: PlatformBase;
  /** Image overrides by relay. */
  images?: Partial<Record<keyof typeof TUNNEL_IMAGES, string>>;
  after?: pulumi.Input<pulumi.Resource>[];
}

export class Tunnel extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment | undefined;

  constructor(name: string, args: TunnelArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:tunnel:Tunnel", name, {}, opts);
    const { plan, rendered } = args;
    const namespace = args.base.namespace(plan.platform.namespace);
    const spec = rendered.secrets.tunnel;
    const dependsOn: pulumi.Input<pulumi.Resource>[] = [namespace, ...(args.after ?? [])];
    if (spec) {
      const { values } = resolveSecretKeys("tunnel", spec, args.secrets);
      dependsOn.push(
        createPlatformSecret(`${name}-token`, {
          plan,
          spec,
          values,
          provider: args.provider,
          parent: this,
          dependsOn: [args.base.namespace(spec.namespace)],
          component: "tunnel",
        }),
      );
    }
    const deployment = tunnelDeploymentObject(plan, rendered, args.images);
    if (deployment) {
      const { metadata, spec: deploymentSpec } = deployment as unknown as k8s.apps.v1.DeploymentArgs;
      this.deployment = new k8s.apps.v1.Deployment(
        `${name}-relay`,
        { metadata, spec: deploymentSpec },
        { parent: this, provider: args.provider, dependsOn },
      );
    }
    this.registerOutputs({});
  }
}
