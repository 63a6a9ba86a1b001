/** GitHub integration: Apps through the manifest flow, webhook pings, status. */
export { GitHubApi, GitHubHttpError, GitHubNoAnswerError, type GitHubApiOptions, type GitHubAuth } from "./api.js";
export { AppSession, installationOn, type AppInfo, type HookDelivery, type Installation } from "./app-auth.js";
export { createAgentApps, detectOwner, agentSecretNames, type AppResult, type CreateAppsOptions } from "./apps.js";
export { openBrowser } from "./browser.js";
export {
  appSecretName,
  appSecretNames,
  readAppCredentials,
  writeAppCredentials,
  type AppCredentials,
} from "./credentials.js";
export { appJwt } from "./jwt.js";
export {
  runManifestFlow,
  FLOW_TIMEOUT_MS,
  type ManifestConversion,
  type ManifestFlowOptions,
} from "./manifest-flow.js";
export { rateLimitWait, formatWait, type RetryDecision } from "./rate-limit.js";
export { githubStatus, renderStatus, type AgentAppStatus } from "./status.js";
export { tunnelSummary, type TunnelSummary } from "./tunnel-status.js";
export { appSettingsUrl, githubWebUrl, installUrl, newAppUrl, slugFromName, type AppOwner } from "./urls.js";
export { sendPing, signatureFor, verifySignature, type PingResult } from "./webhook-ping.js";
export {
  appWebhookSecrets,
  generatedAppWebhookSecrets,
  APP_WEBHOOK_SECRETS_OUTPUT,
  type AppWebhookSecret,
} from "./webhook-secrets.js";
