/**
 * What the template engine produces for one plan, and what the components consume.
 * Components never build organisation-specific strings themselves: names, hosts, images and chart
 * values all arrive here, rendered from `templates/` with the user's configuration.
 * Secret values never appear here: only references (Kubernetes Secret names and keys).
 */
import type { PlatformObject } from "./platform-objects.js";
export interface GitHubAppManifest {
  name: string;
  url: string;
  hook_attributes: { url: string; active: boolean };
  redirect_url?: string;
  callback_urls?: string[];
  public: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
}

export interface RenderedValues {
  /** Helm values per chart component name ("argo-cd", "argo-workflows", "argo-events", "controller", ...). */
  helmValues: Record<string, Record<string, unknown>>;
  /** The controller's configuration file (`cto-config.json` in the platform). */
  controllerConfig: Record<string, unknown>;
  /** GitHub App manifests per agent name. */
  githubAppManifests: Record<string, GitHubAppManifest>;
  /** Ingress hosts by role (argocd, workflows, grafana, webhooks); empty without a domain. */
  ingressHosts: Record<string, string>;
  /** Image references by name ("controller", "agent-rex", ...). */
  images: Record<string, string>;
  /**
   * Kubernetes Secret names by purpose: "github-app-<agent>", "agent-api-keys",
   * and when configured "registry", "tunnel", "smtp", "backup".
   */
  secretNames: Record<string, string>;
  /** The same Secrets in full, by purpose: namespace, type, and the stack secret feeding each key. */
  secrets: Record<string, RenderedSecret>;
  /** How the platform's Ingresses are made (all of them share this). */
  ingress: RenderedIngress;
  /**
   * The platform's own Kubernetes objects in creation order (CRDs, controller, WorkflowTemplate,
   * event wiring), rendered from `templates/platform/objects/`; empty when a controller chart is
   * configured instead (`charts.controller.repository`).
   */
  platformObjects: PlatformObject[];
}

/** A Kubernetes Secret the platform reads. Only names: values come from stack secrets. */
export interface RenderedSecret {
  name: string;
  namespace: string;
  /** `Opaque`, or `kubernetes.io/dockerconfigjson` for the registry pull secret. */
  type: string;
  /** Key in the Secret → name of the stack secret that supplies it (e.g. "github.apps.rex.webhook_secret"). */
  keys: Record<string, string>;
  /** True when keys are added at run time (`cto secrets set`) beyond `keys`. */
  openKeys: boolean;
}

export interface RenderedIngress {
  /** True when a domain is set and an ingress controller is configured. */
  enabled: boolean;
  /** IngressClass name ("nginx", "traefik"), null without an ingress controller. */
  className: string | null;
  /** Annotations every Ingress carries (the cert-manager issuer when TLS is on). */
  annotations: Record<string, string>;
  tls: { enabled: boolean; clusterIssuer: string | null };
}
