/**
 * The AppWebhookConfig provider (components/app-webhook.ts, what `cto up` runs to set each App's
 * webhook URL and secret) against the fake GitHub: it sets them as the App, and when GitHub refuses
 * the App's credentials — an App id GitHub does not know (404 Integration not found), or a key that
 * is not the App's (401) — `cto up` fails with GitHub's answer and the fix, and nothing changes.
 */
import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { appWebhookConfigProvider } from "../../components/app-webhook.js";
import { startFakeGitHub, type FakeApp, type FakeGitHub } from "../fakes/github-server.js";

describe("AppWebhookConfig provider against the fake GitHub", function () {
  this.timeout(30_000);
  let fake: FakeGitHub;
  let app: FakeApp;
  const inputs = (over: Partial<{ appId: string; privateKey: string }> = {}) => ({
    apiUrl: fake.apiUrl,
    appId: String(app.id),
    privateKey: app.pem,
    url: `${fake.webhookUrl}/rex`,
    secret: "platform-secret-0123456789",
    ...over,
  });

  beforeEach(async () => {
    fake = await startFakeGitHub();
    app = fake.addApp("acme-rex", "acme");
  });
  afterEach(async () => fake.close());

  it("sets the URL and secret as the App (by app id)", async () => {
    const created = await appWebhookConfigProvider.create!(inputs());
    assert.equal(created.id, `app-${app.id}-hook`);
    assert.equal(app.hookUrl, `${fake.webhookUrl}/rex`);
    assert.equal(app.webhookSecret, "platform-secret-0123456789");
  });

  it("an App id GitHub does not know: 404 Integration not found, with the fix; nothing set", async () => {
    const unknown = String(app.id + 4242);
    await assert.rejects(appWebhookConfigProvider.create!(inputs({ appId: unknown })), (err: Error) => {
      assert.equal(
        err.message,
        `GitHub answered 404 to PATCH /app/hook/config for App ${unknown} (Integration not found); the App was deleted or its key revoked: check with cto github status, then cto github apps create`,
      );
      return true;
    });
    assert.equal(app.hookUrl, "");
    const update = appWebhookConfigProvider.update!(
      `app-${unknown}-hook`,
      { ...inputs(), secretHash: "" },
      inputs({ appId: unknown }),
    );
    await assert.rejects(update, /GitHub answered 404 .*Integration not found/);
  });

  it("the App's id with a key that is not its own: 401, with the same fix", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    await assert.rejects(
      appWebhookConfigProvider.create!(inputs({ privateKey: pem })),
      /GitHub answered 401 to PATCH \/app\/hook\/config for App \d+ \(A JSON web token could not be decoded\); the App was deleted or its key revoked/,
    );
    assert.equal(app.hookUrl, "");
  });
});
