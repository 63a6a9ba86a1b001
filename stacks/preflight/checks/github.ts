/**
 * GitHub and DNS.
 *
 * Token: `GITHUB_TOKEN` (or `GH_TOKEN`), or one the caller passes (a stack secret). It is sent
 * only in the Authorization header of `GET {base_url}/user`, never printed or put in arguments.
 *
 * `cto up` needs no token: GitHub events reach the platform through the agents' Apps' own
 * webhooks, which cto configures as each App (a JWT from its key, docs/github.md). The token is
 * used by `cto github apps create`, to check that no private App already has a new App's name
 * (GitHub answers 404 to anonymous lookups of private Apps), so this check never blocks `cto up`.
 */
import type { Plan } from "../../../profiles/plan.js";
import type { Check, CheckContext, CheckOutcome } from "../types.js";
import { fail, ok, warn } from "./common.js";

function tokenUrl(plan: Plan): string {
  const api = new URL(plan.github.baseUrl);
  // api.github.com → github.com; GitHub Enterprise Server: https://HOST/api/v3 → https://HOST
  const web = api.hostname === "api.github.com" ? "https://github.com" : `${api.protocol}//${api.host}`;
  return `${web}/settings/tokens/new?description=cto`;
}

export function githubToken(ctx: CheckContext): { token: string; source: string } | undefined {
  if (ctx.githubToken) return { token: ctx.githubToken, source: "the stack's secret" };
  for (const name of ["GITHUB_TOKEN", "GH_TOKEN"]) {
    const v = ctx.probes.env[name];
    if (v && v.trim() !== "") return { token: v.trim(), source: name };
  }
  return undefined;
}

const USE = "cto github apps create uses it to check that no private App already has an agent's App name";

export const githubTokenCheck: Check = {
  id: "github.token",
  name: "GitHub token",
  critical: false,
  appliesTo: () => true,
  async run(ctx) {
    const { plan } = ctx;
    const soft = (o: CheckOutcome): CheckOutcome => ({ ...o, critical: false });
    const create = `export GITHUB_TOKEN=$(gh auth token), or create a token of a member of ${plan.github.organization} at ${tokenUrl(plan)}`;
    const found = githubToken(ctx);
    if (!found) return soft(warn(`GITHUB_TOKEN is not set; ${USE} (cto up does not need it)`, create));
    const base = plan.github.baseUrl.replace(/\/+$/, "");
    const res = await ctx.probes.httpGet(`${base}/user`, {
      Authorization: `Bearer ${found.token}`,
      Accept: "application/vnd.github+json",
      "User-Agent": "cto-doctor",
      "X-GitHub-Api-Version": "2022-11-28",
    });
    if (!res.ok)
      return soft(
        fail(`could not reach ${base}: ${res.message}`, `Check the network, a proxy, or github.base_url in cto.yaml`),
      );
    if (res.status === 401)
      return soft(fail(`${base} rejected the token from ${found.source} (401: bad or expired credentials)`, create));
    if (res.status === 403 && /rate limit/i.test(res.body)) {
      return soft(warn(`${base} rate-limited the check (403)`, "Wait a few minutes and run cto doctor again"));
    }
    if (res.status !== 200)
      return soft(
        fail(`${base}/user answered HTTP ${res.status}`, `Check the token in ${found.source} and github.base_url`),
      );
    let login = "";
    try {
      login = (JSON.parse(res.body) as { login?: string }).login ?? "";
    } catch {
      // login is only cosmetic
    }
    const who = login ? ` (user ${login})` : "";
    return ok(`from ${found.source}${who}; ${USE}`, { source: found.source });
  },
};

export const domainCheck: Check = {
  id: "dns.domain",
  name: "Domain resolves",
  critical: false,
  appliesTo: (plan) => plan.platform.domain !== undefined,
  async run({ plan, probes }) {
    const domain = plan.platform.domain as string;
    const r = await probes.resolve(domain);
    if (r.ok) return ok(`${domain} → ${r.addresses.join(", ")}`, { addresses: r.addresses });
    return warn(
      `${domain} does not resolve (${r.code}); ingress hosts and TLS certificates under it will not work until it does`,
      `Create DNS records for ${domain} and *.${domain} pointing at the cluster's ingress address`,
      { code: r.code },
    );
  },
};
