/**
 * Calls made as a GitHub App (JWT from its private key): the app itself, its installations, its
 * webhook configuration and its recent deliveries.
 */
import type { GitHubApi } from "./api.js";
import { appJwt } from "./jwt.js";

export interface AppInfo {
  id: number;
  slug: string;
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

  /** `GET /app/hook/deliveries`: the newest deliveries first. */
  deliveries(count: number): Promise<HookDelivery[]> {
    return this.api.request<HookDelivery[]>("GET", "/app/hook/deliveries", {
      auth: this.auth(),
      query: { per_page: count },
    });
  }

  /** `GET /app/hook/config`: where the app's webhook goes (the secret is never returned). */
  hookConfig(): Promise<{ url?: string; content_type?: string }> {
    return this.api.request("GET", "/app/hook/config", { auth: this.auth() });
  }

  /** `PATCH /app/hook/config` with a new secret. */
  async setHookSecret(secret: string): Promise<void> {
    await this.api.request("PATCH", "/app/hook/config", { auth: this.auth(), body: { secret } });
  }
}

/** The installation on `login` (case-insensitive), if any. */
export function installationOn(installations: Installation[], login: string): Installation | undefined {
  return installations.find((i) => i.account?.login.toLowerCase() === login.toLowerCase());
}
