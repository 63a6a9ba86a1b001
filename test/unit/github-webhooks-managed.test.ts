import { strict as assert } from "node:assert";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { githubWebhooksManaged, pulumiSearchDirs } from "../../stacks/github/webhooks-managed.js";
import { makePlan } from "./preflight-fixtures.js";

describe("githubWebhooksManaged: does cto up manage the GitHub webhook here", () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const simulated = makePlan();
  simulated.cluster = {
    provider: "simulated",
    name: "acme-dev",
    nodes: 1,
    cpu: "4",
    memory: "8Gi",
    kubeconfigPath: "/x/kubeconfig",
  };
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-webhooks-"));
    env = { PULUMI_HOME: path.join(tmp, "pulumi-home"), PATH: "" };
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it("CTO_GITHUB_WEBHOOKS decides when set", async () => {
    assert.equal(await githubWebhooksManaged(simulated, { ...env, CTO_GITHUB_WEBHOOKS: "true" }, []), true);
    assert.equal(await githubWebhooksManaged(makePlan(), { ...env, CTO_GITHUB_WEBHOOKS: "0" }, []), false);
  });

  it("offline simulated cluster without the plugin: not managed; with the plugin next to pulumi: managed", async () => {
    assert.equal(await githubWebhooksManaged(simulated, env, [tmp]), false);
    const plugin = path.join(tmp, "pulumi-resource-github");
    await writeFile(plugin, "#!/bin/sh\n");
    await chmod(plugin, 0o755);
    assert.equal(await githubWebhooksManaged(simulated, env, [tmp]), true);
  });

  it("a plugin installed under PULUMI_HOME counts; a real cluster may download it unless acquisition is off", async () => {
    assert.equal(await githubWebhooksManaged(makePlan(), env, []), true);
    const off = { ...env, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };
    assert.equal(await githubWebhooksManaged(makePlan(), off, []), false);
    await mkdir(path.join(tmp, "pulumi-home", "plugins", "resource-github-v6.15.0"), { recursive: true });
    assert.equal(await githubWebhooksManaged(makePlan(), off, []), true);
  });

  it("searches CTO_PULUMI_BIN_DIR, ~/.cto/bin, the toolchain, then PATH", () => {
    const dirs = pulumiSearchDirs({
      CTO_PULUMI_BIN_DIR: "/a",
      CTO_HOME: "/h/.cto",
      CTO_TOOLCHAIN_BIN: "/tc/bin",
      PATH: ["/usr/bin", "/bin"].join(path.delimiter),
    });
    assert.deepEqual(dirs, ["/a", "/h/.cto/bin", "/tc/bin", "/usr/bin", "/bin"]);
  });
});
