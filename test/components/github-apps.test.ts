/** Webhook and Secret resources for the repository and organisation webhook modes. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { acme, acmeSecrets, buildUnderMocks, valueOf } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

const ORG_HOOK = "github:index/organizationWebhook:OrganizationWebhook";
const REPO_HOOK = "github:index/repositoryWebhook:RepositoryWebhook";
const SECRET = "kubernetes:core/v1:Secret";

describe("GitHubApps (mocks)", function () {
  this.timeout(60_000);

  it("organisation mode: one organisation webhook at the webhook URL, through a provider bound to the org", async () => {
    const plan = acme("standard");
    const { recorded } = await buildUnderMocks(plan);
    assert.equal(recorded.filter((r) => r.type === REPO_HOOK).length, 0);
    const hook = find(recorded, ORG_HOOK, "github-org-webhook");
    assert.equal(hook.provider, "github-github");
    assert.equal(hook.parent, "github");
    const configuration = hook.inputs.configuration as Record<string, unknown>;
    assert.equal(configuration.url, "https://webhooks.acme.example/github");
    assert.equal(configuration.contentType, "json");
    assert.equal(configuration.insecureSsl, false);
    assert.equal(configuration.secret, "secret-value-of-github.webhook_secret");
    assert.equal(hook.inputs.active, true);
    assert.ok((hook.inputs.events as string[]).length > 0);
    const provider = find(recorded, "pulumi:providers:github", "github-github");
    assert.equal(provider.inputs.owner, "acme");
    assert.equal(provider.inputs.baseUrl, "https://api.github.com");
  });

  it("repository mode: a webhook on github.repository; the secret is generated when none is configured", async () => {
    const plan = acme("minimal", (p) => (p.github.webhookMode = "repository"));
    const secrets = acmeSecrets(plan);
    delete secrets["github.webhook_secret"];
    const { recorded, outputs } = await buildUnderMocks(plan, secrets);
    assert.equal(recorded.filter((r) => r.type === ORG_HOOK).length, 0);
    const hook = find(recorded, REPO_HOOK, "github-repo-webhook");
    assert.equal(hook.inputs.repository, "platform");
    const generated = find(recorded, "pulumi-nodejs:dynamic/cto:GeneratedSecret", "github-webhook-secret");
    assert.equal(generated.parent, "github");
    assert.equal((hook.inputs.configuration as Record<string, unknown>).secret, "generated-github-webhook-secret");
    assert.ok(isSecretAt(hook.raw, "configuration.secret"));
    assert.equal(await valueOf(outputs.webhookSecret), "generated-github-webhook-secret");
    assert.ok(await pulumi.isSecret(outputs.webhookSecret));
    // The same generated value reaches the cluster.
    const k8sSecret = find(recorded, SECRET, "github-github-webhook");
    assert.deepEqual(k8sSecret.inputs.stringData, { secret: "generated-github-webhook-secret" });
    assert.equal((k8sSecret.inputs.metadata as { name: string }).name, "cto-github-webhook");
  });

  it("no webhook URL: no webhook and no GitHub provider, but the Secrets are still delivered", async () => {
    const plan = acme("minimal", (p) => delete p.github.webhookUrl);
    const { recorded } = await buildUnderMocks(plan);
    assert.equal(
      recorded.filter((r) => r.type.startsWith("github:") || r.type === "pulumi:providers:github").length,
      0,
    );
    find(recorded, SECRET, "github-github-webhook");
    find(recorded, SECRET, "github-github-app-rex");
  });

  it("webhooks turned off (no GitHub plugin offline): no webhook, no GitHub provider, Secrets still delivered", async () => {
    const plan = acme("minimal");
    const { recorded } = await buildUnderMocks(plan, undefined, { githubWebhooks: false });
    assert.equal(
      recorded.filter((r) => r.type.startsWith("github:") || r.type === "pulumi:providers:github").length,
      0,
    );
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
    secrets["github.apps.rex.webhook_secret"] = "rex-webhook-secret";
    const { recorded, outputs } = await buildUnderMocks(plan, secrets);
    const rex = find(recorded, SECRET, "github-github-app-rex");
    assert.deepEqual(rex.inputs.stringData, {
      "app-id": "123456",
      "client-id": "Iv1.abc",
      "client-secret": "rex-client-secret",
      "private-key": "secret-value-of-github.apps.rex.private_key",
      "webhook-secret": "rex-webhook-secret",
    });
    assert.equal((rex.inputs.metadata as { namespace: string }).namespace, "cto");
    assert.deepEqual(outputs.missingCredentials["github-app-cleo"], [
      "github.apps.cleo.id",
      "github.apps.cleo.client_id",
      "github.apps.cleo.client_secret",
      "github.apps.cleo.webhook_secret",
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
