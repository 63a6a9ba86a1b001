/**
 * `cto github status`: for each agent, its app (from the stored credentials), where the app is
 * installed, where its webhook goes, and the latest deliveries with their result.
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
  deliveries: Pick<HookDelivery, "id" | "delivered_at" | "event" | "action" | "status" | "status_code" | "duration">[];
  problem?: string;
}

/** Looks up each agent's app on GitHub. */
export async function githubStatus(
  api: GitHubApi,
  store: SecretsStore,
  agents: string[],
  options: { deliveries?: number } = {},
): Promise<AgentAppStatus[]> {
  const out: AgentAppStatus[] = [];
  for (const agent of agents) {
    const creds = await readAppCredentials(store, agent);
    if (!creds) {
      out.push({ agent, state: "missing", installations: [], deliveries: [] });
      continue;
    }
    const session = new AppSession(api, creds.id, creds.privateKey);
    try {
      const app = await session.app();
      const installations: Installation[] = await session.installations();
      const hook = await session.hookConfig().catch(() => ({}) as { url?: string });
      const deliveries = await session.deliveries(options.deliveries ?? 5).catch(() => [] as HookDelivery[]);
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
        webhookUrl: hook.url || undefined,
        deliveries: deliveries.map((d) => ({
          id: d.id,
          delivered_at: d.delivered_at,
          event: d.event,
          action: d.action,
          status: d.status,
          status_code: d.status_code,
          duration: d.duration,
        })),
      });
    } catch (err) {
      if (!(err instanceof GitHubHttpError)) throw err;
      out.push({
        agent,
        state: "refused",
        appId: creds.id,
        installations: [],
        deliveries: [],
        problem: `GitHub answered ${err.status} to ${err.method} ${err.path}${err.githubMessage ? ` (${err.githubMessage})` : ""}`,
      });
    }
  }
  return out;
}

/** Text for people: one block per agent. */
export function renderStatus(statuses: AgentAppStatus[]): string[] {
  const lines: string[] = [];
  for (const s of statuses) {
    if (s.state === "missing") {
      lines.push(`${s.agent}: no app yet (create it with: cto github apps create --agents ${s.agent})`);
      continue;
    }
    if (s.state === "refused") {
      lines.push(`${s.agent}: app ${s.appId}: ${s.problem}`);
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
    if (s.deliveries.length === 0) lines.push("  deliveries: none yet");
    for (const d of s.deliveries) {
      const event = d.action ? `${d.event}.${d.action}` : d.event;
      lines.push(`  ${d.delivered_at}  ${event}  ${d.status_code} ${d.status}  ${Math.round(d.duration * 1000)} ms`);
    }
  }
  return lines;
}
