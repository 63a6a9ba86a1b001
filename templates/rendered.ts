/**
 * What the template engine produces for one plan, and what the components consume.
 * Components never build organisation-specific strings themselves: names, hosts, images and chart
 * values all arrive here, rendered from `templates/` with the user's configuration.
 * Secret values never appear here: only references (Kubernetes Secret names and keys).
 */
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
  /** Kubernetes Secret names by purpose ("github-app-rex", "webhook", "registry"). */
  secretNames: Record<string, string>;
}
