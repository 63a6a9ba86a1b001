/**
 * The platform's Pulumi components (type tokens `cto:<module>:<Name>`), one file each, and the
 * helpers they share. `stacks/program.ts` wires them into the platform.
 */
export * from "./cluster/index.js";
export { ArgoStack, ARGO_COMPONENTS, type ArgoStackArgs } from "./argo-stack.js";
export { Backup, type BackupArgs } from "./backup.js";
export { Controller, CONTROLLER_SECRETS, controllerConfigLocation, type ControllerArgs } from "./controller.js";
export { Databases, DATABASE_COMPONENTS, type DatabasesArgs } from "./databases.js";
export { GitHubApps, appWebhookSecretName, type GitHubAppsArgs } from "./github-apps.js";
export { AppWebhookConfig, appWebhookConfigProvider, type AppWebhookConfigArgs } from "./app-webhook.js";
export { Monitoring, GRAFANA_ADMIN_SECRET, type MonitoringArgs } from "./monitoring.js";
export { PlatformBase, planNamespaces, type PlatformBaseArgs, type PodSecurityLevel } from "./platform-base.js";
export { Registry, registryPort, type RegistryArgs } from "./registry.js";
export { dockerConfigJson, registryHost } from "../templates/pull-secret.js";
export { Security, LETS_ENCRYPT_ACME, type SecurityArgs } from "./security.js";
export { Tunnel, TUNNEL_IMAGES, relayContainers, type RelayContainer, type TunnelArgs } from "./tunnel.js";
export { GeneratedSecret, ALPHANUMERIC, type GeneratedSecretArgs } from "./generated-secret.js";
export { createChartRelease, chartSource, findComponent, HELM_TIMEOUT_SECONDS } from "./chart-release.js";
export {
  platformLabels,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PART_OF_LABEL,
  COMPONENT_LABEL,
  PLATFORM_LABEL,
} from "./labels.js";
export { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";
export { assertBuildablePlan, findPlanProblems, type PlanProblem } from "./validate.js";
