import { strict as assert } from "node:assert";
import {
  checkSecretName,
  credentialsAsPlanSecrets,
  CREDENTIALS_CONFIG_KEY,
  programSecrets,
  secretKind,
  stackSecretsStore,
  type StackHandle,
} from "../../stacks/secrets-store.js";

/** A stack whose config is a map in memory (reads only: writes need the real Pulumi CLI, see test/cli/github.test.ts). */
function memoryStack(config: Record<string, { value: string; secret?: boolean }>): StackHandle {
  return {
    name: "dev",
    workDir: "/nonexistent",
    engineEnv: {},
    cli: { path: "/nonexistent/pulumi" },
    workspace: { getAllConfig: async () => config },
  };
}

describe("secrets store: names and what the program receives", () => {
  it("accepts env-style and dotted names and refuses others with a fix", () => {
    for (const ok of ["ANTHROPIC_API_KEY", "github.webhook_secret", "github.apps.rex.private_key", "_X", "a-b"]) {
      assert.doesNotThrow(() => checkSecretName(ok), ok);
    }
    for (const bad of ["", "1ABC", "has space", "a:b", "trailing.", "a..b", "x=1", "x".repeat(201)]) {
      assert.throws(() => checkSecretName(bad), /is not a valid secret name/, JSON.stringify(bad));
    }
  });

  it("tells agent API keys from platform secrets", () => {
    assert.equal(secretKind("OPENAI_API_KEY"), "agent-api-key");
    assert.equal(secretKind("registry.password"), "platform");
  });

  it("maps agent API keys under the agent-api-keys Secret and lets cto.yaml's secrets win", async () => {
    assert.deepEqual(credentialsAsPlanSecrets({ ANTHROPIC_API_KEY: "a", "github.apps.rex.id": "7" }), {
      "agent-api-keys.ANTHROPIC_API_KEY": "a",
      "github.apps.rex.id": "7",
    });
    const stored = JSON.stringify({ ANTHROPIC_API_KEY: "stored", "github.webhook_secret": "stored-hook" });
    assert.deepEqual(programSecrets(stored, { "github.webhook_secret": "from-config" }, "dev"), {
      "agent-api-keys.ANTHROPIC_API_KEY": "stored",
      "github.webhook_secret": "from-config",
    });
    assert.deepEqual(programSecrets(undefined, { "github.webhook_secret": "from-config" }, "dev"), {
      "github.webhook_secret": "from-config",
    });
    assert.throws(
      () => programSecrets("not json", {}, "dev"),
      /stack dev: config cto:credentials is not a JSON object/,
    );
  });

  it("reads stored credentials, and reports a corrupted value by its config key", async () => {
    const store = stackSecretsStore(
      memoryStack({ [CREDENTIALS_CONFIG_KEY]: { value: JSON.stringify({ B: "2", A: "1" }), secret: true } }),
    );
    assert.deepEqual(await store.list(), ["A", "B"]);
    assert.equal(await store.get("A"), "1");
    assert.deepEqual(await store.getMany(["A", "C"]), { A: "1" });
    const broken = stackSecretsStore(memoryStack({ [CREDENTIALS_CONFIG_KEY]: { value: "[1,2]", secret: true } }));
    await assert.rejects(broken.list(), /config cto:credentials is not a JSON object of credentials/);
    assert.deepEqual(await stackSecretsStore(memoryStack({})).list(), []);
  });
});
