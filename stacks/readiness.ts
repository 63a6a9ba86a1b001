/**
 * "Ready for tasks": whether the installed platform can take a task, judged from the cluster and
 * GitHub, as the last line of `cto status`. Five checks, each with what it saw and the fix:
 *
 * - controller: the controller Deployment is available;
 * - task resources: the platform's CRDs (CodeRun, DocsRun) are established;
 * - event wiring: the EventSource that receives GitHub's deliveries, and the agents' Sensors;
 * - webhook route: the webhook URL exists and its route is in place — the webhooks Ingress with
 *   one path per agent and its IngressClass (domain), the tunnel relay (tunnel), or, for a URL
 *   routed by someone else (`ingress_type: none`, `github.webhook_url`), a reply from the URL;
 * - GitHub: each agent's App is registered and delivers to its own URL (`agentWebhookUrl`).
 *
 * Object names are the platform's own (templates/platform/objects/*.yaml.hbs).
 */
import type { Plan } from "../profiles/plan.js";
import {
  WEBHOOK_EVENT_SOURCE,
  agentWebhookPath,
  agentWebhookUrl,
  controllerChartFullName,
  externalRouteNote,
  webhookReceiverService,
} from "../profiles/webhooks.js";
import type { Kubectl } from "./diagnose/kubectl.js";
import { readiness, type KubeObject } from "./diagnose/objects.js";

/** The platform's task resources. */
export const TASK_CRDS = ["coderuns.agents.platform", "docsruns.agents.platform"];
/** The EventSource receiving GitHub's deliveries. */
export const GITHUB_EVENTSOURCE = WEBHOOK_EVENT_SOURCE;
/** The webhooks Ingress (components/ingress.ts) and the tunnel relay (components/tunnel.ts). */
export const WEBHOOK_INGRESS = "cto-webhooks";
export const TUNNEL_DEPLOYMENT = "cto-tunnel";

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** What was seen. */
  detail: string;
  /** What to do when not ok. */
  fix?: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}

/** An agent's App as GitHub reports it (`stacks/github/status.ts`). */
export interface AppRegistration {
  agent: string;
  state: "ok" | "missing" | "refused";
  webhookUrl?: string;
}

export interface ReadinessOptions {
  /** Each agent's App on GitHub; undefined: GitHub was not asked (reported as not checked). */
  github?: AppRegistration[];
  /** HTTP status a POST to the URL gets, or undefined when nothing answered (externally routed URLs). */
  probe?: (url: string) => Promise<number | undefined>;
}

/** The controller Deployment: the platform's own, or a controller chart's (Helm's full-name rule). */
export function controllerDeployment(plan: Plan): { name: string; namespace: string } {
  const controller = plan.components.find((c) => c.name === "controller");
  const namespace = controller?.namespace ?? plan.platform.namespace;
  const chart = controller?.chart?.chart;
  if (!chart) return { name: "cto-controller", namespace };
  return { name: controllerChartFullName(chart), namespace };
}

/** Runs every check; never throws for what the cluster or GitHub answers. */
export async function platformReadiness(k: Kubectl, plan: Plan, options: ReadinessOptions = {}): Promise<Readiness> {
  const ns = plan.platform.namespace;
  const checks: ReadinessCheck[] = [];
  const get = async <T>(args: string[]) => k.json<T>(["get", ...args, "-o", "json"]);

  // Controller.
  const ctl = controllerDeployment(plan);
  const deployment = await get<KubeObject>(["deployment", ctl.name, "-n", ctl.namespace]);
  const ctlState = deployment.ok ? readiness("Deployment", deployment.value) : undefined;
  checks.push({
    name: "controller",
    ok: ctlState?.ready ?? false,
    detail: deployment.ok
      ? `deployment/${ctl.name} ${ctlState?.state ?? ""}`.trim()
      : `deployment/${ctl.name} in ${ctl.namespace}: ${deployment.error.message}`,
    fix: `kubectl -n ${ctl.namespace} describe deployment/${ctl.name}; then cto up`,
  });

  // Task resources: read by name (every CRD as JSON is megabytes with Argo CD's and Prometheus's).
  const missingCrds: string[] = [];
  const crdErrors: string[] = [];
  for (const name of TASK_CRDS) {
    const crd = await get<KubeObject>(["crd", name]);
    if (!crd.ok && crd.error.kind !== "not-found") crdErrors.push(`${name}: ${crd.error.message}`);
    else if (!crd.ok || !crd.value.status?.conditions?.some((x) => x.type === "Established" && x.status === "True"))
      missingCrds.push(name);
  }
  checks.push({
    name: "task resources",
    ok: crdErrors.length === 0 && missingCrds.length === 0,
    detail:
      crdErrors.length > 0
        ? `CRDs: ${crdErrors.join("; ")}`
        : missingCrds.length === 0
          ? `${TASK_CRDS.join(", ")} established`
          : `not established: ${missingCrds.join(", ")}`,
    fix: "cto up (it installs the platform's CRDs)",
  });

  // Event wiring.
  const source = await get<KubeObject>(["eventsources.argoproj.io", GITHUB_EVENTSOURCE, "-n", ns]);
  const sensors = await get<{ items: KubeObject[] }>(["sensors.argoproj.io", "-n", ns]);
  const sensorNames = sensors.ok ? sensors.value.items.map((s) => s.metadata.name).sort() : [];
  checks.push({
    name: "event wiring",
    ok: source.ok && sensorNames.length > 0,
    detail: `EventSource ${GITHUB_EVENTSOURCE} ${source.ok ? "present" : "missing"}, Sensors: ${sensorNames.length > 0 ? sensorNames.join(", ") : "none"}`,
    fix: "cto up (it creates the EventSource and one Sensor per agent)",
  });

  checks.push(await webhookRoute(k, plan, options));
  checks.push(githubRegistered(plan, options.github));
  return { ready: checks.every((c) => c.ok), checks };
}

/** Whether the webhook URL exists and the route the config chose leads to the receiver. */
async function webhookRoute(k: Kubectl, plan: Plan, options: ReadinessOptions): Promise<ReadinessCheck> {
  const name = "webhook route";
  const url = plan.github.webhookUrl;
  const ns = plan.platform.namespace;
  if (!url) {
    return {
      name,
      ok: false,
      detail: "no webhook URL: GitHub cannot reach the platform",
      fix: "set platform.domain (an ingress routes webhooks.<domain>), github.tunnel (a relay for a local cluster), or github.webhook_url; then cto up",
    };
  }
  const { domain, ingressType } = plan.platform;
  if (plan.github.tunnel.provider !== "none") {
    const relay = await k.json<KubeObject>(["get", "deployment", TUNNEL_DEPLOYMENT, "-n", ns, "-o", "json"]);
    const state = relay.ok ? readiness("Deployment", relay.value) : undefined;
    // smee: one client (container smee-<agent>) per agent's channel (components/tunnel.ts); an
    // agent added since the last cto up has none yet.
    const smee = plan.github.tunnel.provider === "smee";
    const containers = new Set(
      relay.ok
        ? (
            (relay.value as { spec?: { template?: { spec?: { containers?: { name?: string }[] } } } }).spec?.template
              ?.spec?.containers ?? []
          ).map((c) => c.name)
        : [],
    );
    const unrelayed = smee && relay.ok ? plan.agents.filter((a) => !containers.has(`smee-${a.name}`)) : [];
    const where = smee ? plan.agents.map((a) => agentWebhookUrl(plan, a.name)).join(", ") : url;
    const status = !relay.ok
      ? relay.error.message
      : unrelayed.length > 0
        ? `no smee client for ${unrelayed.map((a) => a.name).join(", ")}`
        : (state?.state ?? "");
    return {
      name,
      ok: (state?.ready ?? false) && unrelayed.length === 0,
      detail: `${where} through the ${plan.github.tunnel.provider} relay: ${status}`,
      fix: [`kubectl -n ${ns} logs deployment/${TUNNEL_DEPLOYMENT}; then cto up`, externalRouteNote(plan)]
        .filter((x) => x !== undefined)
        .join(" "),
    };
  }
  if (domain && ingressType !== "none" && url.startsWith(`https://webhooks.${domain}/`)) {
    const ingress = await k.json<{
      spec?: { ingressClassName?: string; rules?: { host?: string; http?: { paths?: { path?: string }[] } }[] };
    }>(["get", "ingress", WEBHOOK_INGRESS, "-n", ns, "-o", "json"]);
    if (!ingress.ok) {
      return {
        name,
        ok: false,
        detail: `ingress/${WEBHOOK_INGRESS}: ${ingress.error.message}`,
        fix: "cto up (it creates the webhooks Ingress)",
      };
    }
    const paths = new Set(ingress.value.spec?.rules?.flatMap((r) => r.http?.paths?.map((p) => p.path) ?? []) ?? []);
    const missing = plan.agents.map((a) => agentWebhookPath(plan, a.name)).filter((p) => !paths.has(p));
    const className = ingress.value.spec?.ingressClassName ?? "";
    const ingressClass = await k.json<KubeObject>(["get", "ingressclass", className, "-o", "json"]);
    return {
      name,
      ok: missing.length === 0 && ingressClass.ok,
      detail: !ingressClass.ok
        ? `IngressClass ${className} missing: no ${ingressType} ingress controller serves webhooks.${domain}`
        : missing.length > 0
          ? `ingress/${WEBHOOK_INGRESS} lacks ${missing.join(", ")}`
          : `webhooks.${domain} routed by ${className} to the receiver`,
      fix: "cto up (it installs the ingress controller and the webhooks Ingress)",
    };
  }
  // Someone else routes the URL: ask it. Any answer from a webhook receiver (it refuses an unsigned
  // body) is fine; no answer, 404 or a gateway error is not.
  const agent = plan.agents[0]?.name;
  const target = agent ? agentWebhookUrl(plan, agent) : url;
  const status = options.probe && target ? await options.probe(target) : undefined;
  const answered = status !== undefined && status !== 404 && status < 500;
  return {
    name,
    ok: answered,
    detail: `${target} (routed outside cto): ${status === undefined ? "no answer" : `HTTP ${status}`}`,
    fix: externalRouteNote(plan) ?? routeTo(target ?? url, plan),
  };
}

/** Where a URL must be routed: the receiver's Service. */
function routeTo(target: string, plan: Plan): string {
  const r = webhookReceiverService(plan);
  return `route ${target} to Service ${r.name} port ${r.port} in namespace ${r.namespace}`;
}

/** Whether each agent's App delivers to its own URL. */
function githubRegistered(plan: Plan, apps: AppRegistration[] | undefined): ReadinessCheck {
  const name = "GitHub";
  if (apps === undefined) {
    return { name, ok: false, detail: "not checked", fix: "cto github status" };
  }
  const problems: string[] = [];
  for (const agent of plan.agents) {
    const app = apps.find((a) => a.agent === agent.name);
    const want = agentWebhookUrl(plan, agent.name);
    if (!app || app.state === "missing") problems.push(`${agent.name}: no App`);
    else if (app.state === "refused") problems.push(`${agent.name}: GitHub refused the App's credentials`);
    else if (want && app.webhookUrl !== want) problems.push(`${agent.name}: webhook ${app.webhookUrl ?? "off"}`);
  }
  return {
    name,
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${plan.agents.map((a) => a.name).join(", ")} deliver to their URLs`
        : problems.join("; "),
    fix: "cto github apps create (then cto up sets each App's webhook URL)",
  };
}

/** The one line `cto status` ends with. */
export function readyLine(r: Readiness): string {
  if (r.ready) return "Ready for tasks: yes (controller, task resources, event wiring, webhook route, GitHub)";
  const failed = r.checks.filter((c) => !c.ok);
  const first = failed[0]!;
  return `Ready for tasks: no — ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}. Fix: ${first.fix ?? "cto status"}`;
}
