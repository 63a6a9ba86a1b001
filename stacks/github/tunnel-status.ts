/**
 * What `cto status` and `cto github status` say about the webhook's public address when a tunnel
 * relays GitHub's deliveries into a cluster without one (`github.tunnel` in cto.yaml; the relay
 * itself is the Tunnel component).
 */
import type { Plan } from "../../profiles/plan.js";

export interface TunnelSummary {
  provider: Plan["github"]["tunnel"]["provider"];
  /** The address GitHub delivers to, when it is known from the configuration. */
  publicUrl: string | null;
  /** One sentence for people. */
  text: string;
}

/** The tunnel of a plan, described from its configuration. */
export function tunnelSummary(plan: Pick<Plan, "github">): TunnelSummary {
  const { tunnel, webhookUrl } = plan.github;
  switch (tunnel.provider) {
    case "none":
      return {
        provider: "none",
        publicUrl: webhookUrl ?? null,
        text: webhookUrl ? `no tunnel; GitHub delivers to ${webhookUrl}` : "no tunnel and no public webhook URL",
      };
    case "smee":
      return {
        provider: "smee",
        publicUrl: tunnel.url ?? null,
        text: tunnel.url
          ? `smee relay: GitHub delivers to ${tunnel.url}, relayed into the cluster`
          : "smee relay without a channel URL: set github.tunnel.url (e.g. a channel from smee.io)",
      };
    case "ngrok":
      return {
        provider: "ngrok",
        publicUrl: tunnel.url ?? webhookUrl ?? null,
        text:
          (tunnel.url ?? webhookUrl)
            ? `ngrok tunnel: GitHub delivers to ${tunnel.url ?? webhookUrl}`
            : "ngrok tunnel on an address ngrok assigns at start: reserve one and set github.tunnel.url so GitHub's webhook can point at it",
      };
    case "cloudflare":
      return {
        provider: "cloudflare",
        publicUrl: webhookUrl ?? null,
        text: webhookUrl
          ? `Cloudflare tunnel: GitHub delivers to ${webhookUrl} (the route is configured on Cloudflare's side)`
          : "Cloudflare tunnel: set github.tunnel.url to the public hostname routed to the tunnel",
      };
  }
}
