import assert from "node:assert/strict";
import { agentWebhookPath, agentWebhookUrl } from "../../profiles/webhooks.js";

const plan = (webhookUrl?: string) =>
  ({
    github: {
      organization: "acme",
      repository: "platform",
      baseUrl: "https://api.github.com",
      apps: [],
      tunnel: { provider: "none" },
      ...(webhookUrl === undefined ? {} : { webhookUrl }),
    },
  }) as unknown as Parameters<typeof agentWebhookUrl>[0];

describe("profiles/webhooks: one URL and path per agent's App", () => {
  it("appends the agent to the plan's webhook URL (the domain default)", () => {
    const p = plan("https://webhooks.acme.example/github");
    assert.equal(agentWebhookUrl(p, "rex"), "https://webhooks.acme.example/github/rex");
    assert.equal(agentWebhookPath(p, "rex"), "/github/rex");
  });

  it("does not double a trailing slash and keeps a custom path", () => {
    const p = plan("https://hooks.acme.example/cto/");
    assert.equal(agentWebhookUrl(p, "cleo"), "https://hooks.acme.example/cto/cleo");
    assert.equal(agentWebhookPath(p, "cleo"), "/cto/cleo");
  });

  it("a URL at the host's root gives /<agent>", () => {
    const p = plan("https://hooks.acme.example");
    assert.equal(agentWebhookUrl(p, "tess"), "https://hooks.acme.example/tess");
    assert.equal(agentWebhookPath(p, "tess"), "/tess");
  });

  it("without a public URL: no App URL, and the cluster path /github/<agent>", () => {
    const p = plan();
    assert.equal(agentWebhookUrl(p, "rex"), undefined);
    assert.equal(agentWebhookPath(p, "rex"), "/github/rex");
  });

  it("each agent gets a different URL", () => {
    const p = plan("https://webhooks.acme.example/github");
    assert.notEqual(agentWebhookUrl(p, "rex"), agentWebhookUrl(p, "cleo"));
  });
});
