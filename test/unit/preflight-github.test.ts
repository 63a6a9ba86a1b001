import { strict as assert } from "node:assert";
import { domainCheck, githubTokenCheck, requiredScopes } from "../../stacks/preflight/checks/github.js";
import type { HttpResult } from "../../stacks/preflight/probes.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

const TOKEN = "ghp_SECRETSECRETSECRET0123456789abcdef";
const withWebhook = makePlan();
withWebhook.github = { ...withWebhook.github, webhookUrl: "https://hooks.acme.example/github" };
const orgMode = makePlan();
orgMode.github = { ...orgMode.github, webhookMode: "organization", webhookUrl: "https://hooks.acme.example/github" };

function github(status: number, scopes: string | undefined, seen: Record<string, string>[] = []) {
  return fakeProbes({
    env: { GITHUB_TOKEN: TOKEN },
    httpGet: async (_url, headers): Promise<HttpResult> => {
      seen.push(headers);
      return {
        ok: true,
        status,
        headers: scopes === undefined ? {} : { "x-oauth-scopes": scopes },
        body: JSON.stringify({ login: "octo" }),
      };
    },
  });
}

describe("preflight: GitHub token and DNS", () => {
  it("scopes per webhook mode", () => {
    assert.deepEqual(requiredScopes("repository"), ["admin:repo_hook", "repo"]);
    assert.deepEqual(requiredScopes("organization"), ["admin:org_hook"]);
  });

  it("no token: critical when a webhook will be registered, a warning otherwise", async () => {
    const crit = await runCheck(githubTokenCheck, withWebhook, fakeProbes());
    assert.deepEqual([crit.status, crit.critical], ["fail", true]);
    assert.match(crit.fix ?? "", /https:\/\/github\.com\/settings\/tokens\/new\?scopes=admin%3Arepo_hook/);
    const soft = await runCheck(githubTokenCheck, makePlan(), fakeProbes());
    assert.deepEqual([soft.status, soft.critical], ["warn", false]);
  });

  it("no token and a webhook URL, but no github plugin here: a warning, since cto up will not register it", async () => {
    const r = await runCheck(githubTokenCheck, withWebhook, fakeProbes(), { githubWebhooksManaged: false });
    assert.deepEqual([r.status, r.critical], ["warn", false]);
    assert.match(r.reason, /does not manage the webhook on this machine/);
  });

  it("sends the token only in the Authorization header and never reports it", async () => {
    const seen: Record<string, string>[] = [];
    const r = await runCheck(githubTokenCheck, withWebhook, github(200, "repo, read:org", seen));
    assert.equal(r.status, "ok");
    assert.equal(seen[0]?.Authorization, `Bearer ${TOKEN}`);
    assert.doesNotMatch(JSON.stringify(r), new RegExp(TOKEN));
  });

  it("a token without the needed scope fails and lists what it has", async () => {
    const r = await runCheck(githubTokenCheck, orgMode, github(200, "repo, admin:repo_hook"));
    assert.equal(r.status, "fail");
    assert.equal(
      r.reason,
      "token from GITHUB_TOKEN (user octo) has scopes [repo, admin:repo_hook]; the organization webhook needs admin:org_hook",
    );
    assert.equal((await runCheck(githubTokenCheck, orgMode, github(200, "admin:org_hook"))).status, "ok");
  });

  it("rejected, unreachable, and fine-grained tokens", async () => {
    assert.match(
      (await runCheck(githubTokenCheck, withWebhook, github(401, undefined))).reason,
      /rejected the token from GITHUB_TOKEN \(401/,
    );
    const offline = await runCheck(githubTokenCheck, withWebhook, fakeProbes({ env: { GITHUB_TOKEN: TOKEN } }));
    assert.match(offline.reason, /could not reach https:\/\/api\.github\.com: ENOTFOUND/);
    const fine = await runCheck(githubTokenCheck, withWebhook, github(200, undefined));
    assert.deepEqual([fine.status, fine.critical], ["warn", false]);
    assert.match(fine.fix ?? "", /Repository permissions → Webhooks: Read and write" on acme\/platform/);
  });

  it("a token passed by the caller (stack secret) is used before the environment", async () => {
    const seen: Record<string, string>[] = [];
    const r = await runCheck(githubTokenCheck, withWebhook, github(200, "repo", seen), { githubToken: "from-stack" });
    assert.match(r.reason, /^from the stack's secret/);
    assert.equal(seen[0]?.Authorization, "Bearer from-stack");
  });

  it("GitHub Enterprise: the token link points at the server", async () => {
    const ghes = makePlan();
    ghes.github = { ...ghes.github, baseUrl: "https://git.acme.example/api/v3", webhookUrl: "https://h.acme.example" };
    assert.match(
      (await runCheck(githubTokenCheck, ghes, fakeProbes())).fix ?? "",
      /https:\/\/git\.acme\.example\/settings\/tokens\/new/,
    );
  });

  it("domain: applies only when configured; resolves or warns", async () => {
    assert.equal(domainCheck.appliesTo(makePlan()), false);
    const plan = makePlan();
    plan.platform = { ...plan.platform, domain: "agents.acme.example" };
    assert.equal((await runCheck(domainCheck, plan, fakeProbes())).reason, "agents.acme.example → 192.0.2.10");
    const nx = await runCheck(
      domainCheck,
      plan,
      fakeProbes({ resolve: async () => ({ ok: false, code: "ENOTFOUND", message: "" }) }),
    );
    assert.equal(nx.status, "warn");
    assert.match(nx.fix ?? "", /\*\.agents\.acme\.example/);
  });
});
