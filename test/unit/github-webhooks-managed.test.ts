import { strict as assert } from "node:assert";
import { githubAppWebhooksManaged } from "../../stacks/github/webhooks-managed.js";

describe("githubAppWebhooksManaged: does cto up set the Apps' webhooks on GitHub", () => {
  it("on by default: it needs only GitHub's API, no plugin and no user token", () => {
    assert.equal(githubAppWebhooksManaged({}), true);
    assert.equal(githubAppWebhooksManaged({ CTO_GITHUB_WEBHOOKS: "true" }), true);
  });

  it("CTO_GITHUB_WEBHOOKS=false or 0 turns it off", () => {
    assert.equal(githubAppWebhooksManaged({ CTO_GITHUB_WEBHOOKS: "false" }), false);
    assert.equal(githubAppWebhooksManaged({ CTO_GITHUB_WEBHOOKS: " FALSE " }), false);
    assert.equal(githubAppWebhooksManaged({ CTO_GITHUB_WEBHOOKS: "0" }), false);
  });
});
