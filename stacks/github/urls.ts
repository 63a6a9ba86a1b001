/**
 * Web addresses people open for GitHub Apps, on github.com or a GitHub Enterprise Server. The API
 * base URL (`github.base_url`) decides the host: api.github.com ↔ github.com, and
 * `https://HOST/api/v3` ↔ `https://HOST`.
 */
import { githubWebUrl } from "../../templates/context.js";

export { githubWebUrl };

/** Who owns the new apps: an organisation, or a user's personal account. */
export interface AppOwner {
  kind: "organization" | "user";
  login: string;
}

/** The page that registers a new app from a POSTed manifest; `state` comes back with the code. */
export function newAppUrl(webUrl: string, owner: AppOwner, state: string): string {
  const base = webUrl.replace(/\/+$/, "");
  const page =
    owner.kind === "organization"
      ? `${base}/organizations/${encodeURIComponent(owner.login)}/settings/apps/new`
      : `${base}/settings/apps/new`;
  return `${page}?state=${encodeURIComponent(state)}`;
}

/** The app's settings page (where private keys are generated and apps are deleted). */
export function appSettingsUrl(webUrl: string, owner: AppOwner, slug: string): string {
  const base = webUrl.replace(/\/+$/, "");
  const prefix = owner.kind === "organization" ? `/organizations/${encodeURIComponent(owner.login)}` : "";
  return `${base}${prefix}/settings/apps/${encodeURIComponent(slug)}`;
}

/** Where the app is installed on an account: its public page (`html_url`) + `/installations/new`. */
export function installUrl(appHtmlUrl: string): string {
  return `${appHtmlUrl.replace(/\/+$/, "")}/installations/new`;
}

/** The slug GitHub derives from an app name: lowercase, runs of other characters become '-'. */
export function slugFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
