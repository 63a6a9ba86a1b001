/**
 * Calls made as a GitHub App (JWT from its private key): the app itself, its installations, its
 * webhook configuration and its recent deliveries.
 */
import type { GitHubApi } from "./api.js";
import { appJwt } from "./jwt.js";

export interface AppInfo {
  id: number;
  slug: string;
  client_id?: string;
  name: string;
  html_url: string;
  owner?: { login: string; type?: string };
}

export interface Installation {
  id: number;
  account: { login: string; type?: string } | null;
  repository_selection?: "all" | "selected";
  html_url?: string;
  suspended_at?: string | null;
}

export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id?: number | null;
  repository_id?: number | null;
}

/** What `PATCH /app/hook/config` sets (the secret is never returned by GitHub). */
export interface HookConfigPatch {
  url?: string;
  secret?: string;
}

/** A GitHub App, authenticated with a fresh JWT per call. */
export class AppSession {
  constructor(
    private readonly api: GitHubApi,
    readonly appId: string,
    private readonly privateKey: string,
  ) {}

  private auth() {
    return { kind: "jwt" as const, jwt: appJwt(this.appId, this.privateKey) };
  }

  /** `GET /app`: the app these credentials belong to. */
  app(): Promise<AppInfo> {
    return this.api.request<AppInfo>("GET", "/app", { auth: this.auth() });
  }

  /** `GET /app/installations` (first 100). */
  installations(): Promise<Installation[]> {
    return this.api.request<Installation[]>("GET", "/app/installations", {
      auth: this.auth(),
      query: { per_page: 100 },
    });
  }

  /**
   * `GET /app/hook/deliveries`: the newest `count` deliveries, newest first. GitHub pages them
   * (at most 100 per page, the next page's cursor in the `link` header), so more than 100 take
   * several requests.
   */
  async deliveries(count: number): Promise<HookDelivery[]> {
    const out: HookDelivery[] = [];
    let cursor: string | undefined;
    while (out.length < count) {
      const page = await this.api.requestWithHeaders<HookDelivery[]>("GET", "/app/hook/deliveries", {
        auth: this.auth(),
        query: { per_page: Math.min(100, count - out.length), ...(cursor ? { cursor } : {}) },
      });
      out.push(...page.body);
      cursor = nextCursor(page.headers.get("link"));
      if (!cursor || page.body.length === 0) break;
    }
    return out.slice(0, count);
  }

  /** `POST /app/hook/deliveries/{id}/attempts`: GitHub sends that delivery again (202). */
  async redeliver(deliveryId: number): Promise<void> {
    await this.api.request("POST", `/app/hook/deliveries/${deliveryId}/attempts`, { auth: this.auth() });
  }

  /** `GET /app/hook/config`: where the app's webhook goes (the secret is never returned). */
  hookConfig(): Promise<{ url?: string; content_type?: string }> {
    return this.api.request("GET", "/app/hook/config", { auth: this.auth() });
  }

  /** `PATCH /app/hook/config`: the webhook URL and/or secret, always with content type json. */
  async setHookConfig(patch: HookConfigPatch): Promise<void> {
    await this.api.request("PATCH", "/app/hook/config", {
      auth: this.auth(),
      body: { ...patch, content_type: "json", insecure_ssl: "0" },
    });
  }
}

/** The `cursor` of the `rel="next"` link of a `link` header, if any. */
export function nextCursor(link: string | null): string | undefined {
  for (const part of (link ?? "").split(",")) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="next"/);
    if (m) return new URL(m[1] as string).searchParams.get("cursor") ?? undefined;
  }
  return undefined;
}

/** The installation on `login` (case-insensitive), if any. */
export function installationOn(installations: Installation[], login: string): Installation | undefined {
  return installations.find((i) => i.account?.login.toLowerCase() === login.toLowerCase());
}
