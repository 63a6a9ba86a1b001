import { strict as assert } from "node:assert";
import { domainCheck, githubTokenCheck } from "../../stacks/preflight/checks/github.js";
import type { HttpResult } from "../../stacks/preflight/probes.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

const TOKEN = "ghp_SECRETSECRETSECRET0123456789abcdef";
const withWebhook = makePlan();
withWebhook.github = { ...withWebhook.github, webhookUrl: "https://hooks.acme.example/github" };

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
  it("no token: a warning, never critical (cto up needs none; apps create uses it for the name check)", async () => {
    for (const plan of [withWebhook, makePlan()]) {
      const r = await runCheck(githubTokenCheck, plan, fakeProbes());
      assert.deepEqual([r.status, r.critical], ["warn", false]);
      assert.match(r.reason, /no private App already has an agent's App name \(cto up does not need it\)/);
      assert.match(r.fix ?? "", /gh auth token.*https:\/\/github\.com\/settings\/tokens\/new/);
    }
  });

  it("sends the token only in the Authorization header and never reports it", async () => {
    const seen: Record<string, string>[] = [];
    const r = await runCheck(githubTokenCheck, withWebhook, github(200, "repo, read:org", seen));
    assert.equal(r.status, "ok");
    assert.match(r.reason, /^from GITHUB_TOKEN \(user octo\)/);
    assert.equal(seen[0]?.Authorization, `Bearer ${TOKEN}`);
    assert.doesNotMatch(JSON.stringify(r), new RegExp(TOKEN));
  });

  it("rejected and unreachable: reported, not critical", async () => {
    const rejected = await runCheck(githubTokenCheck, withWebhook, github(401, undefined));
    assert.match(rejected.reason, /rejected the token from GITHUB_TOKEN \(401/);
    assert.deepEqual([rejected.status, rejected.critical], ["fail", false]);
    const offline = await runCheck(githubTokenCheck, withWebhook, fakeProbes({ env: { GITHUB_TOKEN: TOKEN } }));
    assert.match(offline.reason, /could not reach https:\/\/api\.github\.com: ENOTFOUND/);
    assert.equal(offline.critical, false);
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
