/**
 * `Tunnel` (`cto:tunnel:Tunnel`): brings GitHub's webhook deliveries into a cluster that has no
 * public address, with the relay the config names (`github.tunnel.provider`):
 *
 * - `cloudflare`: `cloudflared` running a remotely managed (named) Cloudflare Tunnel; the token
 *   (stack secret `github.tunnel.token`) identifies the tunnel, whose public hostname
 *   (`github.tunnel.url`) is routed on Cloudflare's side to the webhook receiver's Service
 *   (`webhookReceiverUrl`; `cto up` and `cto status` print the route to configure).
 * - `ngrok`: the ngrok agent forwarding the reserved address `github.tunnel.url` to the webhook
 *   receiver's Service (the request path passes through); the authtoken is the same stack secret.
 * - `smee`: one smee.io client per agent, forwarding the agent's own channel
 *   (`<github.tunnel.url>-<agent>`, `smeeAgentChannel`) to the agent's path (no secret).
 *
 * Either way the public URL is known before anything runs, so the Apps' webhook URL is set
 * (`publicWebhookUrl`, profiles/webhooks.ts). The token reaches the pod from the rendered `tunnel`
 * Secret through an environment variable, never a command-line argument. Images are arguments
 * with pinned defaults so a mirror can serve them. `none` creates nothing.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { agentWebhookPath, agentWebhookUrl, webhookReceiverUrl } from "../profiles/webhooks.js";
import type { RenderedValues } from "../templates/rendered.js";
import { platformLabels } from "./labels.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";

/** Default images of the relays. */
export const TUNNEL_IMAGES = {
  cloudflare: "cloudflare/cloudflared:2025.11.1",
  ngrok: "ngrok/ngrok:3.30.0-alpine",
  smee: "node:22-alpine",
} as const;

/** smee client package the `smee` relay runs. */
export const SMEE_CLIENT = "smee-client@2.0.4";

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

/** One relay container: its name, arguments and environment. */
export interface RelayContainer {
  name: string;
  args: string[];
  env: k8s.types.input.core.v1.EnvVar[];
}

/**
 * The relay's containers. `receiver` is the webhook receiver's in-cluster URL without a path
 * (`webhookReceiverUrl`): ngrok passes the request path through, and Cloudflare routes the
 * hostname there, so one container does. A smee client forwards one channel to exactly one target
 * URL, so smee gets one container per agent, each forwarding the agent's own channel
 * (`agentWebhookUrl`, `<channel>-<agent>`) to the agent's path on the receiver (`agentWebhookPath`).
 */
export function relayContainers(plan: Plan, receiver: string, secretName: string | undefined): RelayContainer[] {
  const tokenEnv = (name: string): k8s.types.input.core.v1.EnvVar[] =>
    secretName ? [{ name, valueFrom: { secretKeyRef: { name: secretName, key: "token" } } }] : [];
  const url = plan.github.tunnel.url;
  const relay = plan.github.tunnel.provider;
  switch (relay) {
    case "none":
      return [];
    case "cloudflare":
      return [{ name: relay, args: ["tunnel", "--no-autoupdate", "run"], env: tokenEnv("TUNNEL_TOKEN") }];
    case "ngrok":
      return [
        { name: relay, args: ["http", ...(url ? [`--url=${url}`] : []), receiver], env: tokenEnv("NGROK_AUTHTOKEN") },
      ];
    case "smee": {
      if (!url) throw new Error("github.tunnel.provider smee needs github.tunnel.url (the smee.io channel)");
      return plan.agents.map((agent) => {
        const channel = agentWebhookUrl(plan, agent.name);
        if (!channel) throw new Error(`no smee channel for agent ${agent.name}`);
        return {
          name: `smee-${agent.name}`,
          args: [
            "npx",
            "--yes",
            SMEE_CLIENT,
            "--url",
            channel,
            "--target",
            `${receiver}${agentWebhookPath(plan, agent.name)}`,
          ],
          env: [{ name: "HOME", value: "/tmp" }],
        };
      });
    }
  }
}

export class Tunnel extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment | undefined;

  constructor(name: string, args: TunnelArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:tunnel:Tunnel", name, {}, opts);
    const { plan, rendered } = args;
    const relay = plan.github.tunnel.provider;
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
    const containers = relayContainers(plan, webhookReceiverUrl(plan), spec?.name);
    if (containers.length > 0 && relay !== "none") {
      const labels = platformLabels(plan, "tunnel");
      const selector = { "app.kubernetes.io/name": `cto-tunnel-${relay}` };
      this.deployment = new k8s.apps.v1.Deployment(
        `${name}-relay`,
        {
          metadata: { name: "cto-tunnel", namespace: plan.platform.namespace, labels: { ...labels, ...selector } },
          spec: {
            replicas: 1,
            selector: { matchLabels: selector },
            template: {
              metadata: { labels: { ...labels, ...selector } },
              spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containers: containers.map((c) => ({
                  name: c.name,
                  image: args.images?.[relay] ?? TUNNEL_IMAGES[relay],
                  args: c.args,
                  env: c.env,
                  resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                })),
              },
            },
          },
        },
        { parent: this, provider: args.provider, dependsOn },
      );
    }
    this.registerOutputs({});
  }
}
