/**
 * How to reach the Argo UIs (Argo CD, Argo Workflows) when cto routes no host to them: without
 * `platform.domain`, or with `platform.ingress_type: none`, the charts' Ingresses are off
 * (templates/platform/ingress.yaml.hbs), so the UIs are reached with `kubectl port-forward` to
 * their Services. The Service names and ports are the charts' own, from their default values
 * (../shared/charts-data/<chart>/<version>/values.yaml, argo-cd 7.8.0 … 10.1.1, argo-workflows
 * 0.45.0 … 1.0.18, the same in every one) and Helm's full-name rule for the release cto installs
 * (`createChartRelease`: release name = component name, in the component's namespace):
 *
 * - argo-cd: `nameOverride: argocd`, `server.name: server`, `server.service.servicePortHttps: 443`
 *   (with no ingress cto leaves `server.insecure` false, so the server speaks TLS with its own
 *   certificate) → Service `argo-cd-argocd-server`, port 443.
 * - argo-workflows: no name override, `server.name: server`, `server.servicePort: 2746`,
 *   `server.secure: false` (plain HTTP) → Service `argo-workflows-server`, port 2746.
 */
import type { ComponentPlan, Plan } from "./plan.js";

/** One UI reached through `kubectl port-forward`. */
export interface PortForwardedUi {
  /** What it is, e.g. "Argo CD". */
  title: string;
  namespace: string;
  service: string;
  /** The Service's port. */
  port: number;
  /**
   * The local port to forward from: not one of the kind cluster's published ports
   * (`KIND_PORT_MAPPINGS`: 80, 443, 8080, 2746, 3000), which the kind node holds on this machine.
   */
  localPort: number;
  /** What to open in a browser once the forward runs. */
  url: string;
}

/**
 * Helm's default full name of a release (the `<chart>.fullname` helper of both Argo charts): the
 * release name when it already contains the chart's name, else `<release>-<name>`.
 */
export function helmFullName(release: string, name: string): string {
  return release.includes(name) ? release : `${release}-${name}`;
}

/** The Argo UI Services of the plan's components, in install order (only components the plan installs). */
export function argoUis(plan: Pick<Plan, "components">): PortForwardedUi[] {
  const uis: PortForwardedUi[] = [];
  const component = (name: string): ComponentPlan | undefined => plan.components.find((c) => c.name === name);
  const cd = component("argo-cd");
  if (cd?.chart) {
    uis.push({
      title: "Argo CD",
      namespace: cd.namespace,
      service: `${helmFullName(cd.name, "argocd")}-server`,
      port: 443,
      localPort: 8443,
      url: "https://localhost:8443",
    });
  }
  const wf = component("argo-workflows");
  if (wf?.chart) {
    uis.push({
      title: "Argo Workflows",
      namespace: wf.namespace,
      service: `${helmFullName(wf.name, "argo-workflows")}-server`,
      port: 2746,
      localPort: 12746,
      url: "http://localhost:12746",
    });
  }
  return uis;
}

/** The `kubectl port-forward` command for one UI. */
export function portForwardCommand(ui: PortForwardedUi): string {
  return `kubectl -n ${ui.namespace} port-forward svc/${ui.service} ${ui.localPort}:${ui.port}`;
}

/**
 * How to reach the Argo UIs when no Ingress serves them (no domain, or `ingress_type: none`), or
 * undefined when cto's ingress routes `argocd.<domain>` and `workflows.<domain>`.
 */
export function argoUiNote(plan: Pick<Plan, "platform" | "components">): string | undefined {
  const { domain, ingressType } = plan.platform;
  if (domain && ingressType !== "none") return undefined;
  const uis = argoUis(plan);
  if (uis.length === 0) return undefined;
  const why = domain
    ? "platform.ingress_type is none, so no Ingress serves the Argo UIs (route them in your own ingress, or forward a port)"
    : "no platform.domain, so no Ingress serves the Argo UIs; forward a port";
  return `${why}: ${uis.map((u) => `${u.title}: ${portForwardCommand(u)}, then open ${u.url}`).join("; ")}.`;
}
