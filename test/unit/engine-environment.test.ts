import { strict as assert } from "node:assert";
import { runContext } from "../../stacks/run-context.js";
import { engineEnvironment } from "../../stacks/workspace.js";

describe("engine environment", () => {
  it("turns the engine's automatic plugin downloads off, whatever the caller's environment says", () => {
    const env = engineEnvironment({
      context: runContext(
        { state: { secretsProvider: "passphrase", backendUrl: "file:///tmp/state" } },
        { env: { PATH: "/usr/bin", HOME: "/home/u", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false" } },
      ),
    });
    assert.equal(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
    assert.equal(env.PULUMI_SKIP_UPDATE_CHECK, "true");
  });

  it("takes cto's home, the toolchain and the backend from the run's context", () => {
    const context = runContext(
      { state: { secretsProvider: "passphrase", backendUrl: "file:///tmp/state" } },
      { env: { PATH: "/usr/bin", HOME: "/home/u", CTO_HOME: "/srv/cto", CTO_TOOLCHAIN_BIN: "/tc/bin" } },
    );
    assert.deepEqual(
      [context.home, context.toolchainBin, context.passphraseFile],
      ["/srv/cto", "/tc/bin", "/srv/cto/passphrase"],
    );
    const env = engineEnvironment({ context });
    assert.deepEqual(env.PATH?.split(":").slice(0, 2), ["/srv/cto/bin", "/tc/bin"]);
    assert.equal(env.PULUMI_BACKEND_URL, "file:///tmp/state?metadata=skip");
  });
});
