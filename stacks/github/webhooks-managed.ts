/**
 * Whether `cto up` sets the agents' GitHub App webhooks (URL and secret, `PATCH /app/hook/config`,
 * components/app-webhook.ts). It needs only GitHub's API, reached as each App (no plugin, no user
 * token), so it is on unless `CTO_GITHUB_WEBHOOKS=false` (or `0`) turns it off, e.g. on a machine
 * that cannot reach GitHub; the platform's Secrets are delivered either way.
 */

/** False only when `CTO_GITHUB_WEBHOOKS` is `false` or `0`. */
export function githubAppWebhooksManaged(env: NodeJS.ProcessEnv): boolean {
  const forced = env.CTO_GITHUB_WEBHOOKS?.trim().toLowerCase();
  return !(forced === "false" || forced === "0");
}
