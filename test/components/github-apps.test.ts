/** One webhook path: each agent's App webhook set to its own URL and the stack's one secret; Secrets. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { acme, acmeSecrets, buildUnderMocks, valueOf } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

const APP_HOOK = "pulumi-nodejs:dynamic/cto:AppWebhookConfig";
const SECRET = "kubernetes:core/v1:Secret";

/** acme's secrets plus stored App credentials (id and key) for the given agents. */
function withApps(plan: ReturnType<typeof acme>, agents: string[]) {
  const secrets = acmeSecrets(plan);
  for (const agent of agents) {
    secrets[`github.apps.${agent}.id`] = `10${agents.indexOf(agent)}`;
    secrets[`github.apps.${agent}.private_key`] = `pem-of-${agent}`;
  }
  return secrets;
}

describe("GitHubApps (mocks)", function () {
  this.timeout(60_000);

  it("one path: each stored App's webhook at <webhook URL>/<agent> with the stack's secret; no org or repo webhook", async () => {
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
    assert.equal(rex.inputs.secret, "secret-value-of-github.webhook_secret");
    assert.ok(isSecretAt(rex.raw, "secret"), "the webhook secret stays a secret");
    assert.ok(isSecretAt(rex.raw, "privateKey"), "the private key stays a secret");
    assert.equal(
      find(recorded, APP_HOOK, "github-app-webhook-cleo").inputs.url,
      "https://webhooks.acme.example/github/cleo",
    );
  });

  it("the secret is generated when none is configured: the same value for every App and the cluster", async () => {
    const plan = acme("minimal");
    const secrets = withApps(plan, ["rex"]);
    delete secrets["github.webhook_secret"];
    const { recorded, outputs } = await buildUnderMocks(plan, secrets);
    const generated = find(recorded, "pulumi-nodejs:dynamic/cto:GeneratedSecret", "github-webhook-secret");
    assert.equal(generated.parent, "github");
    assert.equal(find(recorded, APP_HOOK, "github-app-webhook-rex").inputs.secret, "generated-github-webhook-secret");
    assert.equal(await valueOf(outputs.webhookSecret), "generated-github-webhook-secret");
    assert.ok(await pulumi.isSecret(outputs.webhookSecret));
    const k8sSecret = find(recorded, SECRET, "github-github-webhook");
    assert.deepEqual(k8sSecret.inputs.stringData, { secret: "generated-github-webhook-secret" });
    assert.equal((k8sSecret.inputs.metadata as { name: string }).name, "cto-github-webhook");
  });

  it("no webhook URL, or no stored App: nothing set on GitHub, but the Secrets are still delivered", async () => {
    const noUrl = acme("minimal", (p) => delete p.github.webhookUrl);
    const a = await buildUnderMocks(noUrl, withApps(noUrl, ["rex"]));
    assert.equal(a.recorded.filter((r) => r.type === APP_HOOK).length, 0);
    find(a.recorded, SECRET, "github-github-webhook");
    find(a.recorded, SECRET, "github-github-app-rex");
    const noApps = acme("minimal");
    const b = await buildUnderMocks(noApps);
    assert.equal(b.recorded.filter((r) => r.type === APP_HOOK).length, 0);
  });

  it("turned off (CTO_GITHUB_WEBHOOKS=false): nothing set on GitHub, Secrets still delivered", async () => {
    const plan = acme("minimal");
    const { recorded } = await buildUnderMocks(plan, withApps(plan, ["rex"]), { githubWebhooks: false });
    assert.equal(recorded.filter((r) => r.type === APP_HOOK).length, 0);
    find(recorded, SECRET, "github-github-webhook");
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
    const webhook = find(recorded, SECRET, "github-github-webhook");
    assert.deepEqual(Object.keys(webhook.inputs.stringData as object), ["secret"]);
  });
});
