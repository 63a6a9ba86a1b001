/** One webhook path: each agent's App webhook set to its own URL and its own secret; Secrets. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { acme, acmeSecrets, buildUnderMocks, valueOf } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

const APP_HOOK = "pulumi-nodejs:dynamic/cto:AppWebhookConfig";
const SECRET = "kubernetes:core/v1:Secret";
const EVENT_SOURCE = "kubernetes:argoproj.io/v1alpha1:EventSource";

/** acme's secrets plus stored App credentials (id and key) for the given agents. */
function withApps(plan: ReturnType<typeof acme>, agents: string[]) {
  const secrets = acmeSecrets(plan);
  for (const agent of agents) {
    secrets[`github.apps.${agent}.id`] = `10${agents.indexOf(agent)}`;
    secrets[`github.apps.${agent}.private_key`] = `pem-of-${agent}`;
    secrets[`github.apps.${agent}.webhook_secret`] = `hook-secret-of-${agent}`;
  }
  return secrets;
}

/** The EventSource's webhookSecret reference of each agent's endpoint. */
function endpointSecretRefs(recorded: Awaited<ReturnType<typeof buildUnderMocks>>["recorded"]) {
  const source = find(recorded, EVENT_SOURCE, "controller-eventsource-cto-github");
  const github = (source.inputs.spec as { github: Record<string, { webhookSecret: { name: string; key: string } }> })
    .github;
  return Object.fromEntries(Object.entries(github).map(([agent, entry]) => [agent, entry.webhookSecret]));
}

describe("GitHubApps (mocks)", function () {
  this.timeout(60_000);

  it("one path: each stored App's webhook at <webhook URL>/<agent> with that App's own secret; no org or repo webhook", async () => {
    const plan = acme("standard");
    const { recorded } = await buildUnderMocks(plan, withApps(plan, ["rex", "cleo"]));
    assert.equal(
      recorded.filter((r) => r.type.startsWith("github:") || r.type === "pulumi:providers:github").length,
      0,
      "no @pulumi/github webhook or provider",
    );
    const hooks = recorded.filter((r) => r.type === APP_HOOK);
    assert.deepEqual(hooks.map((h) => h.name).sort(), ["github-app-webhook-cleo", "github-app-webhook-rex"]);
    const rex = find(recorded, APP_HOOK, "github-app-webhook-rex");
    assert.equal(rex.parent, "github");
    assert.equal(rex.inputs.url, "https://webhooks.acme.example/github/rex");
    assert.equal(rex.inputs.apiUrl, "https://api.github.com");
    assert.equal(rex.inputs.appId, "100");
    assert.equal(rex.inputs.secret, "hook-secret-of-rex");
    assert.ok(isSecretAt(rex.raw, "secret"), "the webhook secret stays a secret");
    assert.ok(isSecretAt(rex.raw, "privateKey"), "the private key stays a secret");
    const cleo = find(recorded, APP_HOOK, "github-app-webhook-cleo");
    assert.equal(cleo.inputs.url, "https://webhooks.acme.example/github/cleo");
    assert.equal(cleo.inputs.secret, "hook-secret-of-cleo", "cleo's App signs with cleo's secret, not rex's");
    assert.deepEqual(
      recorded
        .filter((r) => r.type === "pulumi-nodejs:dynamic/cto:GeneratedSecret" && r.name.includes("webhook"))
        .map((r) => r.name),
      ["github-webhook-secret-tess"],
      "stored secrets (rex, cleo): nothing generated; tess has none stored",
    );
    assert.deepEqual(
      recorded.filter((r) => r.type === SECRET && r.name === "github-github-webhook"),
      [],
      "no shared webhook Secret any more",
    );
  });

  it("each agent's EventSource endpoint checks its own App's Secret, which holds that App's secret", async () => {
    const plan = acme("standard");
    const { recorded } = await buildUnderMocks(plan, withApps(plan, ["rex", "cleo"]));
    const refs = endpointSecretRefs(recorded);
    assert.ok(Object.keys(refs).length >= 2, Object.keys(refs).join(","));
    for (const [agent, ref] of Object.entries(refs)) {
      assert.deepEqual(ref, { name: `cto-github-app-${agent}`, key: "webhook-secret" }, agent);
    }
    for (const agent of ["rex", "cleo"]) {
      const k8s = find(recorded, SECRET, `github-github-app-${agent}`);
      assert.equal((k8s.inputs.stringData as Record<string, string>)["webhook-secret"], `hook-secret-of-${agent}`);
      assert.ok(isSecretAt(k8s.raw, ["stringData", "webhook-secret"]), `${agent}: the value stays a secret`);
    }
  });

  it("an App with no stored secret (an install from the shared-secret days) gets its own, generated once", async () => {
    const plan = acme("standard");
    const secrets = withApps(plan, ["rex", "cleo"]);
    delete secrets["github.apps.rex.webhook_secret"];
    delete secrets["github.apps.cleo.webhook_secret"];
    const { recorded, outputs } = await buildUnderMocks(plan, secrets);
    for (const agent of ["rex", "cleo"]) {
      const generated = find(recorded, "pulumi-nodejs:dynamic/cto:GeneratedSecret", `github-webhook-secret-${agent}`);
      assert.equal(generated.parent, "github");
      const value = `generated-github-webhook-secret-${agent}`;
      assert.equal(find(recorded, APP_HOOK, `github-app-webhook-${agent}`).inputs.secret, value);
      const k8s = find(recorded, SECRET, `github-github-app-${agent}`);
      assert.equal((k8s.inputs.stringData as Record<string, string>)["webhook-secret"], value);
      assert.equal((await valueOf(outputs.appWebhookSecrets))[agent], value);
    }
  });

  it("the stack output of every App's webhook secret is one secret as a whole (cto up and cto status mask it)", async () => {
    const plan = acme("standard");
    const { outputs } = await buildUnderMocks(plan, withApps(plan, ["rex", "cleo"]));
    assert.ok(await pulumi.isSecret(outputs.appWebhookSecrets), "a plain map of secrets would be printed unmasked");
    const all = await valueOf(outputs.appWebhookSecrets);
    assert.deepEqual(Object.keys(all).sort(), ["cleo", "rex", "tess"]);
    assert.equal(all.rex, "hook-secret-of-rex");
  });

  it("no webhook URL, or no stored App: nothing set on GitHub, but the Secrets are still delivered", async () => {
    const noUrl = acme("minimal", (p) => delete p.github.webhookUrl);
    const a = await buildUnderMocks(noUrl, withApps(noUrl, ["rex"]));
    assert.equal(a.recorded.filter((r) => r.type === APP_HOOK).length, 0);
    find(a.recorded, SECRET, "github-github-app-rex");
    const noApps = acme("minimal");
    const b = await buildUnderMocks(noApps);
    assert.equal(b.recorded.filter((r) => r.type === APP_HOOK).length, 0);
  });

  it("turned off (CTO_GITHUB_WEBHOOKS=false): nothing set on GitHub, Secrets still delivered", async () => {
    const plan = acme("minimal");
    const { recorded } = await buildUnderMocks(plan, withApps(plan, ["rex"]), { githubWebhooks: false });
    assert.equal(recorded.filter((r) => r.type === APP_HOOK).length, 0);
    const rex = find(recorded, SECRET, "github-github-app-rex");
    assert.equal((rex.inputs.stringData as Record<string, string>)["webhook-secret"], "hook-secret-of-rex");
  });

  it("App credentials: ids from the plan, key from stack secrets, missing ones reported", async () => {
    const plan = acme("standard", (p) => {
      p.github.apps = p.github.apps.map((a) =>
        a.agent === "rex" ? { ...a, appId: "123456", clientId: "Iv1.abc" } : a,
      );
    });
    const secrets = acmeSecrets(plan);
    secrets["github.apps.rex.client_secret"] = "rex-client-secret";
    const { recorded, outputs } = await buildUnderMocks(plan, secrets);
    const rex = find(recorded, SECRET, "github-github-app-rex");
    assert.deepEqual(rex.inputs.stringData, {
      "app-id": "123456",
      "client-id": "Iv1.abc",
      "client-secret": "rex-client-secret",
      "private-key": "secret-value-of-github.apps.rex.private_key",
      "webhook-secret": "generated-github-webhook-secret-rex",
    });
    assert.equal((rex.inputs.metadata as { namespace: string }).namespace, "cto");
    assert.deepEqual(outputs.missingCredentials["github-app-cleo"], [
      "github.apps.cleo.id",
      "github.apps.cleo.client_id",
      "github.apps.cleo.client_secret",
    ]);
    assert.equal(outputs.missingCredentials["github-app-rex"], undefined);
  });

  it("agent API keys: every stack secret agent-api-keys.<NAME> becomes key NAME", async () => {
    const plan = acme("minimal");
    const secrets = {
      ...acmeSecrets(plan),
      "agent-api-keys.ANTHROPIC_API_KEY": "sk-ant",
      "agent-api-keys.OPENAI_API_KEY": "sk-oai",
    };
    const { recorded } = await buildUnderMocks(plan, secrets);
    const keys = find(recorded, SECRET, "controller-agent-api-keys");
    assert.deepEqual(keys.inputs.stringData, { ANTHROPIC_API_KEY: "sk-ant", OPENAI_API_KEY: "sk-oai" });
    assert.ok(isSecretAt(keys.raw, ["stringData", "ANTHROPIC_API_KEY"]));
  });

  it("a Secret with no value yet carries no stringData (an empty one would be replaced on every up)", async () => {
    const plan = acme("minimal");
    const secrets = acmeSecrets(plan);
    for (const name of Object.keys(secrets)) if (name.startsWith("agent-api-keys.")) delete secrets[name];
    const { recorded } = await buildUnderMocks(plan, secrets);
    const keys = find(recorded, SECRET, "controller-agent-api-keys");
    assert.equal(keys.inputs.stringData, undefined);
    const rex = find(recorded, SECRET, "github-github-app-rex");
    assert.ok(!Object.values(rex.inputs.stringData as Record<string, string>).includes(""), "no empty value");
  });
});
