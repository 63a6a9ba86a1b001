/**
 * The tunnel relay's Deployment (`cto-tunnel`), built here once for both `cto up`
 * (components/tunnel.ts creates it, with its token Secret) and `cto render` (templates/
 * to-directory.ts writes it to `tunnel/`; the token Secret is the rendered `tunnel` Secret, an
 * ExternalSecret with `--format manifests`). The relay is the one `github.tunnel.provider` names:
 *
 * - `cloudflare`: `cloudflared` running a remotely managed (named) Cloudflare Tunnel; the token
 *   identifies the tunnel, whose public hostname is routed on Cloudflare's side to the receiver.
 * - `ngrok`: the ngrok agent forwarding the reserved address `github.tunnel.url` to the webhook
 *   receiver's Service (the request path passes through).
 * - `smee`: one smee.io client per agent, forwarding the agent's own channel
 *   (`<github.tunnel.url>-<agent>`) to the agent's path (no secret).
 *
 * The token reaches the pod from the Secret through an environment variable, never a
 * command-line argument. Images have pinned defaults; a mirror's copies can replace them.
 */
import type { Plan } from "../profiles/plan.js";
import { agentWebhookPath, agentWebhookUrl, webhookReceiverUrl } from "../profiles/webhooks.js";
import { platformLabels } from "./labels.js";
import type { PlatformObject } from "./platform-objects.js";
import type { RenderedValues } from "./rendered.js";

/** Default images of the relays. */
export const TUNNEL_IMAGES = {
  cloudflare: "cloudflare/cloudflared:2025.11.1",
  ngrok: "ngrok/ngrok:3.30.0-alpine",
  smee: "node:22-alpine",
} as const;

/** smee client package the `smee` relay runs. */
export const SMEE_CLIENT = "smee-client@2.0.4";

/** Name of the relay's Deployment. */
export const TUNNEL_DEPLOYMENT_NAME = "cto-tunnel";

/** An environment variable of a relay container: a value, or a key of a Secret. */
export interface RelayEnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** One relay container: its name, arguments and environment. */
export interface RelayContainer {
  name: string;
  args: string[];
  env: RelayEnvVar[];
}

/**
 * The relay's containers. `receiver` is the webhook receiver's in-cluster URL without a path
 * (`webhookReceiverUrl`): ngrok passes the request path through, and Cloudflare routes the
 * hostname there, so one container does. A smee client forwards one channel to exactly one target
 * URL, so smee gets one container per agent, each forwarding the agent's own channel
 * (`agentWebhookUrl`, `<channel>-<agent>`) to the agent's path on the receiver (`agentWebhookPath`).
 */
export function relayContainers(plan: Plan, receiver: string, secretName: string | undefined): RelayContainer[] {
  const tokenEnv = (name: string): RelayEnvVar[] =>
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

/**
 * The relay's Deployment in the platform namespace; undefined without a tunnel. `images`
 * replaces the default image of a relay.
 */
export function tunnelDeploymentObject(
  plan: Plan,
  rendered: Pick<RenderedValues, "secrets">,
  images: Partial<Record<keyof typeof TUNNEL_IMAGES, string>> = {},
): PlatformObject | undefined {
  const relay = plan.github.tunnel.provider;
  if (relay === "none") return undefined;
  const containers = relayContainers(plan, webhookReceiverUrl(plan), rendered.secrets.tunnel?.name);
  if (containers.length === 0) return undefined;
  const labels = platformLabels(plan, "tunnel");
  const selector = { "app.kubernetes.io/name": `cto-tunnel-${relay}` };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: TUNNEL_DEPLOYMENT_NAME, namespace: plan.platform.namespace, labels: { ...labels, ...selector } },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
          containers: containers.map((c) => ({
            name: c.name,
            image: images[relay] ?? TUNNEL_IMAGES[relay],
            args: c.args,
            env: c.env,
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          })),
        },
      },
    },
  };
}
