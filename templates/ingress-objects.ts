/**
 * The Ingress of `webhooks.<domain>`, built here once for both `cto up` (components/ingress.ts
 * creates it) and `cto render` (templates/to-directory.ts writes it to `ingress/`): one path per
 * enabled agent, the path of that agent's App webhook (`agentWebhookPath`, profiles/webhooks.ts,
 * the same function the EventSource's endpoints and the URL registered on GitHub come from), to
 * the webhook receiver's Service, with the annotations every Ingress of the platform carries (the
 * cert-manager issuer when TLS is on). None without a domain or with `ingress_type: none`.
 */
import type { Plan } from "../profiles/plan.js";
import { agentWebhookPath, webhookReceiverService, type ServiceRef } from "../profiles/webhooks.js";
import { platformLabels } from "./labels.js";
import type { PlatformObject } from "./platform-objects.js";
import type { RenderedValues } from "./rendered.js";

/** Name of the Ingress that routes `webhooks.<domain>`. */
export const WEBHOOK_INGRESS_NAME = "cto-webhooks";

/** The spec of the webhooks Ingress, or undefined when the plan routes no webhook traffic itself. */
export function webhookIngressSpec(
  plan: Plan,
  rendered: Pick<RenderedValues, "ingress" | "ingressHosts">,
  receiver: ServiceRef,
): Record<string, unknown> | undefined {
  const host = rendered.ingressHosts.webhooks;
  if (!rendered.ingress.enabled || !rendered.ingress.className || !host) return undefined;
  const backend = { service: { name: receiver.name, port: { number: receiver.port } } };
  // By agent name (the order the resolver lists agents in), so the rendered file is the same
  // whatever order a plan lists its agents in.
  const agents = [...plan.agents].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ingressClassName: rendered.ingress.className,
    rules: [
      {
        host,
        http: {
          paths: agents.map((a) => ({ path: agentWebhookPath(plan, a.name), pathType: "Exact", backend })),
        },
      },
    ],
    ...(rendered.ingress.tls.enabled ? { tls: [{ hosts: [host], secretName: `${WEBHOOK_INGRESS_NAME}-tls` }] } : {}),
  };
}

/** The webhooks Ingress, in the receiver's namespace; undefined when none is made. */
export function webhookIngressObject(
  plan: Plan,
  rendered: Pick<RenderedValues, "ingress" | "ingressHosts">,
  receiver: ServiceRef = webhookReceiverService(plan),
): PlatformObject | undefined {
  const spec = webhookIngressSpec(plan, rendered, receiver);
  if (!spec) return undefined;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: WEBHOOK_INGRESS_NAME,
      namespace: receiver.namespace,
      labels: platformLabels(plan, "ingress"),
      ...(Object.keys(rendered.ingress.annotations).length > 0
        ? { annotations: { ...rendered.ingress.annotations } }
        : {}),
    },
    spec,
  };
}
