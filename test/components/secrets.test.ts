/** Inputs that carry keys or passwords are Pulumi secrets (encrypted in state, hidden in previews). */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { acme, acmeSecrets, buildUnderMocks, valueOf } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

describe("secret inputs are Pulumi secrets (mocks)", function () {
  this.timeout(60_000);

  it("every value of every Kubernetes Secret we create is a secret", async () => {
    const plan = acme("production");
    const { recorded } = await buildUnderMocks(plan, {
      ...acmeSecrets(plan),
      "backup.credentials": "[default]\nkey=x",
    });
    const secrets = recorded.filter((r) => r.type === "kubernetes:core/v1:Secret");
    assert.ok(secrets.length >= 8, `found ${secrets.length} Secrets`);
    let keys = 0;
    for (const secret of secrets) {
      const data = (secret.inputs.stringData ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(data)) {
        keys++;
        assert.ok(isSecretAt(secret.raw, ["stringData", key]), `${secret.name} ${key} is a secret`);
      }
    }
    assert.ok(keys >= 8);
    const backup = find(recorded, "kubernetes:core/v1:Secret", "backup-credentials");
    assert.equal((backup.inputs.stringData as Record<string, string>).cloud, "[default]\nkey=x");
  });

  it("the App webhook's secret and key, the Argo CD values and the registry password are secrets", async () => {
    const plan = acme("minimal");
    const secrets = acmeSecrets(plan);
    secrets["github.apps.rex.id"] = "101";
    secrets["github.apps.rex.private_key"] = "pem-of-rex";
    const { recorded, outputs } = await buildUnderMocks(plan, secrets);
    const hook = find(recorded, "pulumi-nodejs:dynamic/cto:AppWebhookConfig", "github-app-webhook-rex");
    assert.ok(isSecretAt(hook.raw, "secret"), "the App webhook's secret is a secret");
    assert.ok(isSecretAt(hook.raw, "privateKey"), "the App's private key is a secret");
    assert.ok(isSecretAt(find(recorded, "kubernetes:helm.sh/v3:Release", "argo-argo-cd").raw, "values"));
    const pull = find(recorded, "kubernetes:core/v1:Secret", "registry-pull-secret");
    assert.ok(
      isSecretAt(pull.raw, ["stringData", ".dockerconfigjson"]),
      "the pull secret's .dockerconfigjson is a secret",
    );
    assert.equal((await valueOf(outputs.appWebhookSecrets)).rex, "generated-github-webhook-secret-rex");
    assert.ok(await pulumi.isSecret(outputs.appWebhookSecrets));
    assert.ok(await pulumi.isSecret(outputs.argocdAdminPassword!));
  });

  it("secret values never appear in a non-secret input", async () => {
    const plan = acme("standard");
    const secrets = acmeSecrets(plan);
    const { recorded } = await buildUnderMocks(plan, secrets);
    const values = Object.values(secrets);
    for (const resource of recorded) {
      const plain = JSON.stringify(stripSecretSubtrees(resource.raw));
      for (const value of values) assert.ok(!plain.includes(value), `${resource.name} shows a secret in clear`);
    }
  });
});

/** The raw inputs without any subtree that is marked secret. */
function stripSecretSubtrees(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecretSubtrees);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return "[secret]";
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, stripSecretSubtrees(v)]));
  }
  return value;
}
