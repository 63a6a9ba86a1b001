/**
 * GitHub and DNS.
 *
 * Token: `GITHUB_TOKEN` (or `GH_TOKEN`), or one the caller passes (a stack secret). It is sent
 * only in the Authorization header of `GET {base_url}/user`, never printed or put in arguments.
 * A classic token lists its scopes in the `X-OAuth-Scopes` response header; the scopes needed:
 * - `webhook_mode: repository`: `admin:repo_hook` (or `repo`, which includes repository webhooks);
 * - `webhook_mode: organization`: `admin:org_hook`.
 * Fine-grained and GitHub App tokens carry no such header; their permissions cannot be listed, so
 * the check warns and says which permission to grant.
 *
 * The token is critical only when `cto up` will register a webhook: a webhook URL is known and
 * the github plugin is available (`githubWebhooksManaged`).
 */
import type { Plan } from "../../../profiles/plan.js";
import type { Check, CheckContext, CheckOutcome } from "../types.js";
import { fail, ok, warn } from "./common.js";

/** Any one of these scopes is enough for the webhook mode. */
export function requiredScopes(mode: Plan["github"]["webhookMode"]): string[] {
  return mode === "organization" ? ["admin:org_hook"] : ["admin:repo_hook", "repo"];
}

function tokenUrl(plan: Plan): string {
  const scope = requiredScopes(plan.github.webhookMode)[0] as string;
  const api = new URL(plan.github.baseUrl);
  // api.github.com → github.com; GitHub Enterprise Server: https://HOST/api/v3 → https://HOST
  const web = api.hostname === "api.github.com" ? "https://github.com" : `${api.protocol}//${api.host}`;
  return `${web}/settings/tokens/new?scopes=${encodeURIComponent(scope)}&description=cto`;
}

export function githubToken(ctx: CheckContext): { token: string; source: string } | undefined {
  if (ctx.githubToken) return { token: ctx.githubToken, source: "the stack's secret" };
  for (const name of ["GITHUB_TOKEN", "GH_TOKEN"]) {
    const v = ctx.probes.env[name];
    if (v && v.trim() !== "") return { token: v.trim(), source: name };
  }
  return undefined;
}

export const githubTokenCheck: Check = {
  id: "github.token",
  name: "GitHub token",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const { plan } = ctx;
    const managed = plan.github.webhookUrl !== undefined && ctx.githubWebhooksManaged !== false;
    const critical = managed;
    const out = (o: CheckOutcome): CheckOutcome => (o.status === "ok" ? o : { ...o, critical: o.critical ?? critical });
    const scopes = requiredScopes(plan.github.webhookMode);
    const target =
      plan.github.webhookMode === "organization"
        ? `organization ${plan.github.organization}`
        : `${plan.github.organization}/${plan.github.repository}`;
    const create = `export GITHUB_TOKEN=<token>; create one with ${scopes[0]} at ${tokenUrl(plan)}`;
    const found = githubToken(ctx);
    if (!found) {
      const why = managed
        ? `cto up registers the ${plan.github.webhookMode} webhook on ${target}`
        : plan.github.webhookUrl !== undefined
          ? "cto up does not manage the webhook on this machine (no github plugin), so nothing needs it now"
          : "no webhook URL is configured yet, so nothing needs it now";
      return out(
        critical ? fail(`GITHUB_TOKEN is not set; ${why}`, create) : warn(`GITHUB_TOKEN is not set; ${why}`, create),
      );
    }
    const base = plan.github.baseUrl.replace(/\/+$/, "");
    const res = await ctx.probes.httpGet(`${base}/user`, {
      Authorization: `Bearer ${found.token}`,
      Accept: "application/vnd.github+json",
      "User-Agent": "cto-doctor",
      "X-GitHub-Api-Version": "2022-11-28",
    });
    if (!res.ok)
      return out(
        fail(`could not reach ${base}: ${res.message}`, `Check the network, a proxy, or github.base_url in cto.yaml`),
      );
    if (res.status === 401)
      return out(fail(`${base} rejected the token from ${found.source} (401: bad or expired credentials)`, create));
    if (res.status === 403 && /rate limit/i.test(res.body)) {
      return out(
        warn(
          `${base} rate-limited the check (403); the token's scopes could not be read`,
          "Wait a few minutes and run cto doctor again",
        ),
      );
    }
    if (res.status !== 200)
      return out(
        fail(`${base}/user answered HTTP ${res.status}`, `Check the token in ${found.source} and github.base_url`),
      );
    let login = "";
    try {
      login = (JSON.parse(res.body) as { login?: string }).login ?? "";
    } catch {
      // login is only cosmetic
    }
    const header = res.headers["x-oauth-scopes"];
    const who = login ? ` (user ${login})` : "";
    if (header === undefined) {
      const permission =
        plan.github.webhookMode === "organization"
          ? "Organization permissions → Webhooks: Read and write"
          : "Repository permissions → Webhooks: Read and write";
      return out({
        ...warn(
          `fine-grained or app token from ${found.source}${who}: GitHub does not list its permissions`,
          `Make sure it has "${permission}" on ${target}`,
        ),
        critical: false,
      });
    }
    const has = header
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const details = { source: found.source, scopes: has, needed: scopes };
    if (!scopes.some((s) => has.includes(s))) {
      return out(
        fail(
          `token from ${found.source}${who} has scopes [${has.join(", ") || "none"}]; the ${plan.github.webhookMode} webhook needs ${scopes.join(" or ")}`,
          create,
          details,
        ),
      );
    }
    return ok(`from ${found.source}${who}, scopes ${has.join(", ")}`, details);
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
