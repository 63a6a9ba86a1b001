/**
 * `cto github status`: for each agent, its app (from the stored credentials), where the app is
 * installed, where its webhook goes (and whether that is the agent's URL), and the latest
 * deliveries with their result. Failed deliveries are marked and come with the command that asks
 * GitHub to send them again; errors GitHub gave along the way are reported, not swallowed.
 */
import type { SecretsStore } from "../secrets-store.js";
import { GitHubApi, GitHubHttpError } from "./api.js";
import { AppSession, type HookDelivery, type Installation } from "./app-auth.js";
import { readAppCredentials } from "./credentials.js";

export interface AgentAppStatus {
  agent: string;
  /** "ok": GitHub answered with the app; "missing": no credentials stored; "refused": GitHub refused them. */
  state: "ok" | "missing" | "refused";
  appId?: string;
  name?: string;
  slug?: string;
  htmlUrl?: string;
  installations: { id: number; account: string; repositorySelection?: string; suspended: boolean }[];
  webhookUrl?: string;
  /** The agent's webhook URL according to the configuration (profiles/webhooks.ts). */
  expectedWebhookUrl?: string;
  deliveries: (Pick<
    HookDelivery,
    "id" | "guid" | "delivered_at" | "event" | "action" | "status" | "status_code" | "duration" | "redelivery"
  > & { failed: boolean })[];
  /** Errors met while asking GitHub (the app itself, its hook config, its deliveries). */
  problems: string[];
}

/** Looks up each agent's app on GitHub. */
export async function githubStatus(
  api: GitHubApi,
  store: SecretsStore,
  agents: string[],
  options: { deliveries?: number; expectedUrl?: (agent: string) => string | undefined } = {},
): Promise<AgentAppStatus[]> {
  const out: AgentAppStatus[] = [];
  for (const agent of agents) {
    const expectedWebhookUrl = options.expectedUrl?.(agent);
    const creds = await readAppCredentials(store, agent);
    if (!creds) {
      out.push({ agent, state: "missing", installations: [], deliveries: [], problems: [], expectedWebhookUrl });
      continue;
    }
    const session = new AppSession(api, creds.id, creds.privateKey);
    const problems: string[] = [];
    const note = (what: string) => (err: unknown) => {
      if (!(err instanceof GitHubHttpError)) throw err;
      problems.push(`${what}: ${describe(err)}`);
      return undefined;
    };
    let app;
    try {
      app = await session.app();
    } catch (err) {
      if (!(err instanceof GitHubHttpError)) throw err;
      out.push({
        agent,
        state: "refused",
        appId: creds.id,
        installations: [],
        deliveries: [],
        expectedWebhookUrl,
        problems: [describe(err)],
      });
      continue;
    }
    const installations: Installation[] = (await session.installations().catch(note("installations"))) ?? [];
    const hook = await session.hookConfig().catch(note("webhook configuration"));
    const deliveries = (await session.deliveries(options.deliveries ?? 5).catch(note("deliveries"))) ?? [];
    const webhookUrl = hook?.url || undefined;
    if (hook && expectedWebhookUrl && webhookUrl !== expectedWebhookUrl) {
      problems.push(
        `the App's webhook goes to ${webhookUrl ?? "nowhere"}, not ${expectedWebhookUrl}: run cto up (or cto github apps create) to set it`,
      );
    }
    out.push({
      agent,
      state: "ok",
      appId: creds.id,
      name: app.name,
      slug: app.slug,
      htmlUrl: app.html_url,
      installations: installations.map((i) => ({
        id: i.id,
        account: i.account?.login ?? "?",
        repositorySelection: i.repository_selection,
        suspended: Boolean(i.suspended_at),
      })),
      webhookUrl,
      expectedWebhookUrl,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        guid: d.guid,
        delivered_at: d.delivered_at,
        event: d.event,
        action: d.action,
        status: d.status,
        status_code: d.status_code,
        duration: d.duration,
        redelivery: d.redelivery,
        failed: !(d.status_code >= 200 && d.status_code < 300),
      })),
      problems,
    });
  }
  return out;
}

function describe(err: GitHubHttpError): string {
  return `GitHub answered ${err.status} to ${err.method} ${err.path}${err.githubMessage ? ` (${err.githubMessage})` : ""}`;
}

/**
 * What to do when GitHub refuses an agent's stored App credentials: 404 means no App has the stored
 * id (deleted, or the id is wrong), 401 that the App does not accept the stored key (revoked).
 */
function refusedFix(s: AgentAppStatus, environment: string): string {
  const forget = `cto secrets rm --env ${environment} 'github.apps.${s.agent}.*'`;
  const create = `cto github apps create --env ${environment} --agents ${s.agent}`;
  if (s.problems.some((p) => p.startsWith("GitHub answered 404 "))) {
    return `no GitHub App has id ${s.appId} (it was deleted, or the stored id is not its id): forget the stored credentials with ${forget}, then ${create}`;
  }
  if (s.problems.some((p) => p.startsWith("GitHub answered 401 "))) {
    return `App ${s.appId} does not accept the stored private key (revoked?): store a key generated in the App's settings with cto secrets set --env ${environment} github.apps.${s.agent}.private_key < key.pem, or forget the stored credentials with ${forget}, then ${create}`;
  }
  return `check the App on GitHub, then run ${create}`;
}

/** Text for people: one block per agent; failed deliveries with the command that redelivers them. */
export function renderStatus(statuses: AgentAppStatus[], environment: string): string[] {
  const lines: string[] = [];
  for (const s of statuses) {
    if (s.state === "missing") {
      lines.push(`${s.agent}: no app yet (create it with: cto github apps create --agents ${s.agent})`);
      continue;
    }
    if (s.state === "refused") {
      lines.push(`${s.agent}: app ${s.appId}: ${s.problems.join("; ")}`);
      lines.push(`  fix: ${refusedFix(s, environment)}`);
      continue;
    }
    lines.push(`${s.agent}: ${s.name} (app ${s.appId}) ${s.htmlUrl ?? ""}`.trimEnd());
    lines.push(
      s.installations.length === 0
        ? "  installations: none (install it from the app's page: /installations/new)"
        : `  installations: ${s.installations
            .map(
              (i) => `${i.account} (${i.repositorySelection ?? "?"} repositories${i.suspended ? ", suspended" : ""})`,
            )
            .join(", ")}`,
    );
    lines.push(`  webhook: ${s.webhookUrl ?? "none"}`);
    for (const p of s.problems) lines.push(`  error: ${p}`);
    if (s.deliveries.length === 0) lines.push("  deliveries: none yet");
    for (const d of s.deliveries) {
      const event = d.action ? `${d.event}.${d.action}` : d.event;
      const mark = d.failed ? "✗" : "✓";
      lines.push(
        `  ${mark} ${d.delivered_at}  ${event}  ${d.status_code} ${d.status}  ${Math.round(d.duration * 1000)} ms${d.redelivery ? "  (redelivery)" : ""}`,
      );
    }
    const failed = s.deliveries.filter((d) => d.failed);
    if (failed.length > 0) {
      const first = failed[0] as AgentAppStatus["deliveries"][number];
      lines.push(
        `  ${failed.length} failed ${failed.length === 1 ? "delivery" : "deliveries"}; once the endpoint is fixed, ask GitHub to send again: cto github redeliver --env ${environment} --agent ${s.agent} --delivery ${first.id}${failed.length > 1 ? " (or --failed for all of them)" : ""}`,
      );
    }
  }
  return lines;
}
