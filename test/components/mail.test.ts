/**
 * Mail notifications under Pulumi mocks: with `Plan.mail` and the stack secret
 * `mail.smtp_password`, the Controller component creates the smtp Secret (the password a Pulumi
 * secret), the controller's ConfigMap names that Secret and holds no password, and the Deployment
 * waits for the Secret it reads SMTP_PASSWORD from.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { acme, acmeSecrets, buildUnderMocks } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

const PASSWORD = "pw-components-Zq8";

describe("mail notifications (mocks)", function () {
  this.timeout(60_000);

  it("the smtp Secret carries the password as a secret; the ConfigMap references it; the Deployment depends on it", async () => {
    const plan = acme("minimal", (p) => {
      p.features.mailNotifications = true;
      p.mail = {
        host: "smtp.acme.example",
        port: 587,
        tls: "starttls",
        from: "cto@acme.example",
        username: "cto@acme.example",
        hasPassword: true,
      };
      p.secretNames = [...p.secretNames, "mail.smtp_password"].sort();
    });
    const { recorded } = await buildUnderMocks(plan, { ...acmeSecrets(plan), "mail.smtp_password": PASSWORD });

    const secret = find(recorded, "kubernetes:core/v1:Secret", "controller-smtp");
    assert.equal((secret.inputs.metadata as { name: string }).name, "cto-smtp");
    assert.equal((secret.inputs.stringData as Record<string, string>).password, PASSWORD);
    assert.ok(isSecretAt(secret.raw, ["stringData", "password"]), "the password is a Pulumi secret");

    const cm = find(recorded, "kubernetes:core/v1:ConfigMap", "controller-configmap-cto-controller-config");
    const text = (cm.inputs.data as Record<string, string>)["config.yaml"] ?? "";
    assert.ok(!JSON.stringify(cm.raw).includes(PASSWORD), "no password in the ConfigMap");
    assert.deepEqual(parse(text).notifications.mail.smtp.passwordSecret, { name: "cto-smtp", key: "password" });
    assert.equal(parse(text).notifications.mail.smtp.host, "smtp.acme.example");

    const deployment = find(recorded, "kubernetes:apps/v1:Deployment", "controller-deployment-cto-controller");
    assert.ok(deployment.dependsOn.includes(secret.name), "the Deployment waits for the smtp Secret");
  });
});
