/** The Pulumi.yaml entry reads the plan, secrets, stored credentials, random store and runtime from stack config. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { UserError } from "../../config/errors.js";
import { readClusterInputs } from "../../stacks/cluster-inputs.js";
import { CONFIG_KEYS } from "../../stacks/program-config.js";
import main from "../../stacks/pulumi-main.js";
import { acme, acmeSecrets } from "./fixtures.js";
import { find, recordResources, settle } from "./harness.js";

describe("stacks/pulumi-main (mocks)", function () {
  this.timeout(60_000);

  it("builds from cto:plan, cto:secrets, cto:random and cto:runtime", async () => {
    const plan = acme("minimal", (p) => {
      p.cluster = {
        provider: "simulated",
        name: "acme-dev",
        nodes: 2,
        cpu: "4",
        memory: "8Gi",
        kubeconfigPath: "/h/.cto/clusters/acme-dev/kubeconfig",
      };
    });
    const recorded = await recordResources();
    pulumi.runtime.setAllConfig(
      {
        [CONFIG_KEYS.plan]: JSON.stringify(plan),
        [CONFIG_KEYS.secrets]: JSON.stringify({
          ...acmeSecrets(plan),
          "github.apps.rex.id": "101",
          "github.apps.rex.private_key": "pem-of-rex",
        }),
        [CONFIG_KEYS.random]: JSON.stringify({ "installation-id": "fixedfixedfi" }),
        [CONFIG_KEYS.runtime]: JSON.stringify({ binDir: "/tc/bin", workdir: "/w/kwok", githubWebhooks: false }),
      },
      [CONFIG_KEYS.secrets, CONFIG_KEYS.random],
    );
    const outputs = main();
    await settle();
    assert.equal(outputs.clusterProvider, "simulated");
    const simulated = find(recorded, "pulumi-nodejs:dynamic/cto:SimulatedCluster", "cluster-simulated");
    assert.equal(simulated.inputs.binDir, "/tc/bin");
    assert.equal(simulated.inputs.workdir, "/w/kwok");
    assert.equal(
      recorded.filter((r) => r.type === "pulumi-nodejs:dynamic/cto:AppWebhookConfig").length,
      0,
      "githubWebhooks: false honoured (rex's App is stored, yet its webhook is not set)",
    );
    const config = find(recorded, "kubernetes:core/v1:ConfigMap", "controller-configmap-cto-config");
    assert.match(JSON.stringify(config.inputs.data), /fixedfixedfi/, "the stored random store is used");
    pulumi.runtime.setAllConfig({});
  });

  it("adds the stored credentials (cto:credentials) to the plan's secrets, cto.yaml's winning", async () => {
    const plan = acme("minimal");
    const recorded = await recordResources();
    pulumi.runtime.setAllConfig(
      {
        [CONFIG_KEYS.plan]: JSON.stringify(plan),
        [CONFIG_KEYS.secrets]: JSON.stringify({ ...acmeSecrets(plan), "agent-api-keys.OPENAI_API_KEY": "from-yaml" }),
        [CONFIG_KEYS.credentials]: JSON.stringify({ ANTHROPIC_API_KEY: "stored", OPENAI_API_KEY: "stored-too" }),
      },
      [CONFIG_KEYS.secrets, CONFIG_KEYS.credentials],
    );
    main();
    await settle();
    const keys = find(recorded, "kubernetes:core/v1:Secret", "controller-agent-api-keys");
    assert.deepEqual(keys.inputs.stringData, { ANTHROPIC_API_KEY: "stored", OPENAI_API_KEY: "from-yaml" });
    pulumi.runtime.setAllConfig({});
  });

  it("a stack without cto:plan fails with a message naming the key", async () => {
    await recordResources();
    pulumi.runtime.setAllConfig({});
    assert.throws(() => main(), /has no cto:plan: it was not created by cto/);
    await settle();
  });
});

describe("stacks/cluster-inputs", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cto-inputs-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
  /** The run's context as readClusterInputs reads it: this env, cto's home under `dir`. */
  const host = (env: NodeJS.ProcessEnv) => ({ env, home: path.join(dir, ".cto"), toolchainBin: undefined });

  it("existing: reads the named kubeconfig; a missing named file is a UserError naming cluster.kubeconfig", () => {
    const plan = acme("minimal", (p) => (p.cluster = { provider: "existing", name: "acme", kubeconfig }));
    assert.deepEqual(readClusterInputs(plan, {}, host({ HOME: dir })), {
      existingKubeconfig: "apiVersion: v1\nkind: Config\n",
    });
    const missing = acme(
      "minimal",
      (p) => (p.cluster = { provider: "existing", name: "acme", kubeconfig: "/nope/config" }),
    );
    assert.throws(
      () => readClusterInputs(missing, {}, host({ HOME: dir })),
      (e: unknown) => e instanceof UserError && /cluster\.kubeconfig/.test(e.message),
    );
    const fallback = acme("minimal", (p) => (p.cluster = { provider: "existing", name: "acme" }));
    assert.deepEqual(
      readClusterInputs(fallback, {}, host({ HOME: dir, KUBECONFIG: kubeconfig })).existingKubeconfig,
      "apiVersion: v1\nkind: Config\n",
    );
  });

  it("k3s over SSH: key files by host, the agent socket from SSH_AUTH_SOCK, the host binary re-hashed against its receipt", () => {
    const key = path.join(dir, "id");
    writeFileSync(key, "KEY");
    const binary = path.join(dir, ".cto", "tools", "k3s", "1.31.4+k3s1", "linux-amd64", "k3s");
    const receipt = (sha256: string) =>
      writeFileSync(
        path.join(dir, ".cto", "tools.json"),
        JSON.stringify({ "k3s-linux-amd64": { version: "1.31.4+k3s1", sha256, files: ["k3s"] } }),
      );
    const plan = acme("standard", (p) => {
      p.cluster = {
        provider: "k3s",
        name: "acme",
        version: "v1.31.4+k3s1",
        binaryPath: "/home/me/.cto/bin/k3s",
        nodes: [
          { host: "10.0.0.1", user: "root", port: 22, role: "server", sshKeyPath: key, arch: "amd64" },
          { host: "10.0.0.2", user: "root", port: 22, role: "agent", arch: "amd64" },
        ],
        kubeconfigPath: "/k",
      };
    });
    // cto's home is the run's (under `dir`), not one derived again from HOME.
    const env = host({ HOME: path.join(dir, "elsewhere"), SSH_AUTH_SOCK: "/run/agent" });
    assert.throws(
      () => readClusterInputs(plan, {}, env),
      (e: unknown) =>
        e instanceof UserError &&
        e.message.includes(`k3s v1.31.4+k3s1 for linux-amd64 (SSH hosts): ${binary} is missing`) &&
        /cto doctor --fix/.test(e.hint ?? ""),
    );
    mkdirSync(path.dirname(binary), { recursive: true });
    writeFileSync(binary, "k3s stand-in");
    const sha256 = createHash("sha256").update("k3s stand-in").digest("hex");
    receipt("0".repeat(64));
    assert.throws(
      () => readClusterInputs(plan, {}, env),
      (e: unknown) => e instanceof UserError && e.message.includes(`changed since it was checked: SHA-256 ${sha256}`),
    );
    receipt(sha256);
    assert.deepEqual(readClusterInputs(plan, {}, env), {
      ssh: { privateKeys: { "10.0.0.1": "KEY" }, agentSocketPath: "/run/agent" },
      k3sBinaries: { amd64: { path: binary, sha256 } },
    });
  });
});
