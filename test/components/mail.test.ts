/**
 * Mail notifications under Pulumi mocks: with `Plan.mail` and the stack secret
 * `mail.smtp_password`, the Controller component creates the smtp Secret (the password a Pulumi
 * secret), the controller's ConfigMap names that Secret and holds no password, and the Deployment
 * waits for the Secret it reads SMTP_PASSWORD from.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { MailPlan } from "../../profiles/plan.js";
import { programInputs } from "../../stacks/secrets-store.js";
import { acme, acmeSecrets, buildUnderMocks } from "./fixtures.js";
import { find, isSecretAt, type RecordedResource } from "./harness.js";

const PASSWORD = "pw-components-Zq8";

/** The mail settings of these cases; `hasPassword`: cto.yaml names mail.smtp_password. */
function smtpPlan(hasPassword: boolean): MailPlan {
  return {
    host: "smtp.acme.example",
    port: 587,
    tls: "starttls",
    from: "cto@acme.example",
    username: "cto@acme.example",
    hasPassword,
  };
}

/**
 * The smtp Secret holds the password as a Pulumi secret, and the controller's ConfigMap names it
 * and holds no password. Returns the Secret and the ConfigMap's config.yaml.
 */
function assertSmtpSecretReferenced(recorded: RecordedResource[]): { secret: RecordedResource; text: string } {
  const secret = find(recorded, "kubernetes:core/v1:Secret", "controller-smtp");
  assert.equal((secret.inputs.metadata as { name: string }).name, "cto-smtp");
  assert.equal((secret.inputs.stringData as Record<string, string>).password, PASSWORD);
  assert.ok(isSecretAt(secret.raw, ["stringData", "password"]), "the password is a Pulumi secret");
  const cm = find(recorded, "kubernetes:core/v1:ConfigMap", "controller-configmap-cto-controller-config");
  const text = (cm.inputs.data as Record<string, string>)["config.yaml"] ?? "";
  assert.ok(!JSON.stringify(cm.raw).includes(PASSWORD), "no password in the ConfigMap");
  assert.deepEqual(parse(text).notifications.mail.smtp.passwordSecret, { name: "cto-smtp", key: "password" });
  return { secret, text };
}

describe("mail notifications (mocks)", function () {
  this.timeout(60_000);

  it("the smtp Secret carries the password as a secret; the ConfigMap references it; the Deployment depends on it", async () => {
    const plan = acme("minimal", (p) => {
      p.features.mailNotifications = true;
      p.mail = smtpPlan(true);
      p.secretNames = [...p.secretNames, "mail.smtp_password"].sort();
    });
    const { recorded } = await buildUnderMocks(plan, { ...acmeSecrets(plan), "mail.smtp_password": PASSWORD });

    const { secret, text } = assertSmtpSecretReferenced(recorded);
    assert.equal(parse(text).notifications.mail.smtp.host, "smtp.acme.example");

    const deployment = find(recorded, "kubernetes:apps/v1:Deployment", "controller-deployment-cto-controller");
    assert.ok(deployment.dependsOn.includes(secret.name), "the Deployment waits for the smtp Secret");
  });

  it("a password stored with cto secrets set (not in cto.yaml) feeds the smtp Secret the configuration references", async () => {
    // The plan as cto.yaml resolves it: mail on, no mail.smtp_password there.
    const plan = acme("minimal", (p) => {
      p.features.mailNotifications = true;
      p.mail = smtpPlan(false);
    });
    assert.ok(!plan.secretNames.includes("mail.smtp_password"));
    // What both program entries build from: cto:credentials as the engine hands it over.
    const stored = JSON.stringify({ "mail.smtp_password": PASSWORD });
    const inputs = programInputs(stored, plan, acmeSecrets(plan), "dev");
    const { recorded } = await buildUnderMocks(inputs.plan, inputs.secrets);

    assertSmtpSecretReferenced(recorded);

    // Without a stored password nothing changes: no Secret, no reference.
    const none = programInputs(undefined, plan, acmeSecrets(plan), "dev");
    assert.equal(none.plan, plan);
  });
});
