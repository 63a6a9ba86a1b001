/**
 * Where GitHub delivers each agent's App webhook, and the path the cluster serves it on.
 *
 * One path for GitHub events (docs/github.md, "Webhooks"): every agent's GitHub App delivers its
 * own events to its own URL, `<github.webhookUrl>/<agent>` (e.g. https://webhooks.acme.example/github/rex),
 * and the platform's EventSource has one endpoint per enabled agent at that URL's path. So one
 * GitHub event reaches each agent's Sensor once, and no org/repo webhook repeats it. The URLs that
 * cto sets on GitHub (`PATCH /app/hook/config`) and the paths the cluster listens on come from
 * these two functions only.
 */
import type { Plan } from "./plan.js";

/** The path prefix used when the plan has no public webhook URL yet (the domain default's path). */
export const DEFAULT_WEBHOOK_PATH = "/github";

/** The agent's App webhook URL, or undefined while the plan has no public webhook URL. */
export function agentWebhookUrl(plan: Pick<Plan, "github">, agent: string): string | undefined {
  const base = plan.github.webhookUrl;
  if (base === undefined) return undefined;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${encodeURIComponent(agent)}`;
  return url.toString();
}

/**
 * The HTTP path the cluster serves the agent's deliveries on: the path of `agentWebhookUrl`, or
 * `/github/<agent>` when no public URL is known (a tunnel or proxy added later forwards there).
 */
export function agentWebhookPath(plan: Pick<Plan, "github">, agent: string): string {
  const url = agentWebhookUrl(plan, agent);
  return url === undefined ? `${DEFAULT_WEBHOOK_PATH}/${encodeURIComponent(agent)}` : new URL(url).pathname;
}

/** The EventSource that receives GitHub's deliveries (templates/platform/objects/events.yaml.hbs). */
export const WEBHOOK_EVENT_SOURCE = "cto-github";
/** Port the EventSource listens on, and its Service's port. */
export const WEBHOOK_RECEIVER_PORT = 12000;

/**
 * The in-cluster address of the webhook receiver, for an ingress or tunnel to forward to: the
 * Service Argo Events creates for the EventSource (`<name>-eventsource-svc`) in the platform
 * namespace. Every agent's path (`agentWebhookPath`) is served there.
 */
export function webhookReceiverService(plan: Pick<Plan, "platform">): {
  name: string;
  namespace: string;
  port: number;
} {
  return {
    name: `${WEBHOOK_EVENT_SOURCE}-eventsource-svc`,
    namespace: plan.platform.namespace,
    port: WEBHOOK_RECEIVER_PORT,
  };
}
