/**
 * Where GitHub delivers each agent's App webhook, and the path the cluster serves it on.
 *
 * One path for GitHub events (docs/github.md, "Webhooks"): every agent's GitHub App delivers its
 * own events to its own URL, `<github.webhookUrl>/<agent>` (e.g. https://webhooks.acme.example/github/rex),
 * and the platform's EventSource has one endpoint per enabled agent at that URL's path. So one
 * GitHub event reaches each agent's Sensor once, and no org/repo webhook repeats it. The URLs that
 * cto sets on GitHub (`PATCH /app/hook/config`) and the paths the cluster listens on come from
 * these two functions only.
 *
 * A smee relay is the exception (`smeeAgentChannel`): smee.io has no paths under a channel, so each
 * agent's App delivers to its own channel, `<channel>-<agent>`, and the cluster path is
 * `/github/<agent>`.
 */
import type { Plan } from "./plan.js";

/** The path prefix used when the plan has no public webhook URL yet (the domain default's path). */
export const DEFAULT_WEBHOOK_PATH = "/github";

/** What the public webhook URL is derived from (the `github` and `platform` sections of cto.yaml). */
export interface WebhookUrlSources {
  /** `github.webhook_url`: always wins. */
  webhookUrl?: string;
  /** `github.tunnel`: provider and its public URL (smee: the channel). */
  tunnel: { provider: "none" | "cloudflare" | "ngrok" | "smee"; url?: string };
  domain?: string;
  ingressType: "none" | "nginx" | "traefik";
}

/**
 * The public URL GitHub delivers to (each agent's App at `<it>/<agent>`; a smee channel's agents at
 * `<it>-<agent>`), or undefined when none
 * is known: `github.webhook_url`; else a tunnel's public URL (Cloudflare: the hostname routed to
 * the tunnel; ngrok: the reserved domain), at `/github` when it has no path; a smee channel as
 * it is; else `https://webhooks.<domain>/github` with a domain — routed by cto's ingress
 * controller, or with `ingress_type: none` by whoever runs the cluster's own ingress.
 */
export function publicWebhookUrl(s: WebhookUrlSources): string | undefined {
  if (s.webhookUrl) return s.webhookUrl;
  const { provider, url } = s.tunnel;
  if (url && provider === "smee") return url;
  if (url && (provider === "cloudflare" || provider === "ngrok")) {
    const u = new URL(url);
    if (u.pathname === "/" || u.pathname === "") u.pathname = DEFAULT_WEBHOOK_PATH;
    return u.toString();
  }
  return s.domain ? `https://webhooks.${s.domain}${DEFAULT_WEBHOOK_PATH}` : undefined;
}

/**
 * What a smee channel name may be: smee.io's server (github.com/probot/smee.io, lib/server.js)
 * serves `GET|POST /:channel` with `channel` matching this, at most 128 characters, and nothing
 * below it (a POST to `/<channel>/<agent>` finds no route).
 */
export const SMEE_CHANNEL = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The agent's own smee channel: the configured channel URL with `-<agent>` added to the channel,
 * e.g. https://smee.io/AbC123 → https://smee.io/AbC123-rex.
 *
 * Why one channel per agent: the smee client (smee-client, `--url <channel> --target <url>`)
 * subscribes to one channel and posts every message of it to exactly its target, adding no path;
 * and smee.io has no paths under a channel. So a single channel could not tell the agents' Apps
 * apart, and `<channel>/<agent>` is refused by smee.io. Each agent's App delivers to its channel,
 * and the relay runs one smee client per agent, from that channel to `agentWebhookPath`. The
 * channel keeps the configured one's unguessable part, so it is as private as the one configured.
 */
export function smeeAgentChannel(channelUrl: string, agent: string): string {
  const url = new URL(channelUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}-${agent}`;
  return url.toString();
}

/**
 * Why a smee channel URL cannot give every agent its own channel (`smeeAgentChannel`), or undefined
 * when it can: it must be `https://<smee server>/<channel>`, one path segment, and each agent's
 * channel must still be a channel smee.io accepts.
 */
export function smeeChannelProblem(channelUrl: string, agents: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(channelUrl);
  } catch {
    return `${channelUrl} is not a URL`;
  }
  const channel = url.pathname.replace(/^\/+|\/+$/g, "");
  if (!SMEE_CHANNEL.test(channel) || url.search !== "") {
    return `${channelUrl} is not a smee channel URL (https://smee.io/<channel>: one path segment of letters, digits, - and _, no query)`;
  }
  const long = agents.filter((a) => !SMEE_CHANNEL.test(`${channel}-${a}`));
  if (long.length > 0) {
    return `the agents' channels (${long.map((a) => `${channel}-${a}`).join(", ")}) would be longer than smee's 128 characters`;
  }
  return undefined;
}

/** The agent's App webhook URL, or undefined while the plan has no public webhook URL. */
export function agentWebhookUrl(plan: Pick<Plan, "github">, agent: string): string | undefined {
  const base = plan.github.webhookUrl;
  if (base === undefined) return undefined;
  if (plan.github.tunnel.provider === "smee") return smeeAgentChannel(base, agent);
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${encodeURIComponent(agent)}`;
  return url.toString();
}

/**
 * The HTTP path the cluster serves the agent's deliveries on: the path of `agentWebhookUrl`, or
 * `/github/<agent>` when no public URL is known (a tunnel or proxy added later forwards there) and
 * with a smee relay (whose public URL is a channel, not a path the cluster sees; the relay posts
 * to this path).
 */
export function agentWebhookPath(plan: Pick<Plan, "github">, agent: string): string {
  const url = agentWebhookUrl(plan, agent);
  return url === undefined || plan.github.tunnel.provider === "smee"
    ? `${DEFAULT_WEBHOOK_PATH}/${encodeURIComponent(agent)}`
    : new URL(url).pathname;
}

/** The EventSource that receives GitHub's deliveries (templates/platform/objects/events.yaml.hbs). */
export const WEBHOOK_EVENT_SOURCE = "cto-github";
/** Port the EventSource listens on, and its Service's port. */
export const WEBHOOK_RECEIVER_PORT = 12000;

/** A Service in the cluster, by name, namespace and port. */
export interface ServiceRef {
  name: string;
  namespace: string;
  port: number;
}

/**
 * The name Helm gives the objects of a controller chart installed as release `controller` (its
 * full-name rule: the release name when it already contains the chart name, else
 * `<release>-<chart>`). Used only with `charts.controller` (a fork or mirror of the controller chart).
 */
export function controllerChartFullName(chart: string): string {
  return "controller".includes(chart) ? "controller" : `controller-${chart}`;
}

/**
 * The webhook receiver's Service, the one place its name and port are written for an ingress, a
 * tunnel or a message to forward to: the Service Argo Events creates for the platform's
 * EventSource (`<name>-eventsource-svc`, port 12000) in the platform namespace; with a controller
 * chart instead of the built-in objects, that chart's Service on port 80. Every agent's path
 * (`agentWebhookPath`) is served there.
 */
export function webhookReceiverService(plan: Pick<Plan, "platform" | "components">): ServiceRef {
  const controller = plan.components.find((c) => c.name === "controller");
  const chart = controller?.chart?.chart;
  if (chart) {
    return { name: controllerChartFullName(chart), namespace: controller.namespace, port: 80 };
  }
  return {
    name: `${WEBHOOK_EVENT_SOURCE}-eventsource-svc`,
    namespace: plan.platform.namespace,
    port: WEBHOOK_RECEIVER_PORT,
  };
}

/** The receiver's in-cluster URL (`http://<service>.<namespace>.svc.cluster.local:<port>`), no path. */
export function webhookReceiverUrl(plan: Pick<Plan, "platform" | "components">): string {
  const s = webhookReceiverService(plan);
  return `http://${s.name}.${s.namespace}.svc.cluster.local:${s.port}`;
}

/**
 * What someone other than cto must do so GitHub's deliveries reach the receiver, or undefined when
 * cto's own ingress or relay does it all:
 * - `ingress_type: none` with a domain, or a `github.webhook_url` no tunnel serves: the owner of
 *   the cluster's ingress or proxy routes each agent's path to the receiver's Service;
 * - a Cloudflare Tunnel: its public hostname is routed to the receiver in Cloudflare's settings
 *   (a remotely managed tunnel keeps its routes there; cto only runs the connector).
 */
export function externalRouteNote(
  plan: Pick<Plan, "github" | "platform" | "components" | "agents">,
): string | undefined {
  const url = plan.github.webhookUrl;
  if (!url) return undefined;
  const receiver = webhookReceiverService(plan);
  const service = `Service ${receiver.name} port ${receiver.port} in namespace ${receiver.namespace}`;
  const provider = plan.github.tunnel.provider;
  if (provider === "cloudflare") {
    return (
      `Cloudflare routes the tunnel: in the tunnel's settings (Networks → Tunnels → Public hostname), ` +
      `route ${new URL(url).host} to ${webhookReceiverUrl(plan)} (the ${service}).`
    );
  }
  if (provider !== "none") return undefined;
  const { domain, ingressType } = plan.platform;
  if (domain && ingressType !== "none" && url.startsWith(`https://webhooks.${domain}/`)) return undefined;
  const paths = plan.agents.map((a) => agentWebhookPath(plan, a.name)).join(", ");
  const who =
    ingressType === "none" && domain
      ? "platform.ingress_type is none, so cto installs no ingress controller: your ingress or proxy"
      : "github.webhook_url is served by no ingress or tunnel of cto's: your ingress or proxy";
  return `${who} must route ${new URL(url).origin} paths ${paths} to the ${service} (${webhookReceiverUrl(plan)}).`;
}
