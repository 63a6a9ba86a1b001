import { strict as assert } from "node:assert";
import { engineEnvironment } from "../../stacks/workspace.js";

describe("engine environment", () => {
  it("turns the engine's automatic plugin downloads off, whatever the caller's environment says", () => {
    const env = engineEnvironment({
      env: { PATH: "/usr/bin", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false" },
      backend: { url: "file:///tmp/state", dir: "/tmp/state" } as Parameters<typeof engineEnvironment>[0]["backend"],
    });
    assert.equal(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
    assert.equal(env.PULUMI_SKIP_UPDATE_CHECK, "true");
  });
});
