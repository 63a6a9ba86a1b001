/** The Cluster component for each provider: what it runs, how secrets travel, what the provider gets. */
import assert from "node:assert/strict";
import type { Plan, SshNodePlan } from "../../profiles/plan.js";
import { kindConfig } from "../../components/cluster/kind.js";
import { kubeconfigEndpoint, pointKubeconfigAt } from "../../components/cluster/kubeconfig.js";
import { parse } from "yaml";
import { acme, buildUnderMocks, valueOf } from "./fixtures.js";
import { FAKE_KUBECONFIG, find, isSecretAt, type RecordedResource } from "./harness.js";

const LOCAL = "command:local:Command";
const REMOTE = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
const PROVIDER = "pulumi:providers:kubernetes";

const node = (host: string, role: "server" | "agent"): SshNodePlan => ({
  host,
  user: "root",
  port: 22,
  role,
  arch: "amd64",
});
const k3s = (nodes: SshNodePlan[]): Plan["cluster"] => ({
  provider: "k3s",
  name: "acme",
  version: "v1.31.4+k3s1",
  binaryPath: "/home/me/.cto/bin/k3s",
  nodes,
  kubeconfigPath: "/home/me/.cto/clusters/acme/kubeconfig",
});
const names = (recorded: RecordedResource[], type: string) =>
  recorded
    .filter((r) => r.type === type)
    .map((r) => r.name)
    .sort();

describe("Cluster (mocks)", function () {
  this.timeout(60_000);

  it("existing: the provider gets the given kubeconfig (secret) and context; endpoint from it", async () => {
    const plan = acme("minimal", (p) => (p.cluster = { provider: "existing", name: "acme", context: "test" }));
    const { recorded, outputs } = await buildUnderMocks(plan, undefined, {
      cluster: { existingKubeconfig: FAKE_KUBECONFIG },
    });
    const provider = find(recorded, PROVIDER, "cluster-provider");
    assert.equal(provider.inputs.context, "test");
    assert.ok(isSecretAt(provider.raw, "kubeconfig"));
    assert.equal(provider.inputs.kubeconfig, FAKE_KUBECONFIG);
    assert.equal(await valueOf(outputs.clusterEndpoint), "https://127.0.0.1:6443");
    assert.equal(recorded.filter((r) => r.type.startsWith("command:")).length, 0);
  });

  it("k3s on this machine: the downloaded binary at the plan's version, no install script or sudo, 0600 kubeconfig, default storage class", async () => {
    const { recorded } = await buildUnderMocks(acme("minimal", (p) => (p.cluster = k3s([]))));
    assert.deepEqual(names(recorded, LOCAL), ["cluster-k3s-install", "cluster-kubeconfig"]);
    const install = find(recorded, LOCAL, "cluster-k3s-install");
    assert.deepEqual(install.inputs.environment, {
      K3S_BIN: "/home/me/.cto/bin/k3s",
      K3S_UNIT_DIR: "/home/me/.cto/k3s",
      K3S_VERSION: "v1.31.4+k3s1",
      KUBECONFIG_PATH: "/home/me/.cto/clusters/acme/kubeconfig",
    });
    const create = String(install.inputs.create);
    assert.match(create, /--disable traefik/);
    assert.match(create, /install -m 0600 -o "\$uid"/);
    assert.doesNotMatch(create, /curl|\| *sh\b/, "no download and no piped script");
    assert.doesNotMatch(create.replace(/echo "[^"]*"/g, ""), /sudo/, "sudo appears only in printed commands");
    assert.match(String(install.inputs.delete), /systemctl disable --now k3s/);
    const read = find(recorded, LOCAL, "cluster-kubeconfig");
    assert.equal(read.inputs.logging, "stderr", "the kubeconfig stays out of the engine log");
    assert.ok(read.dependsOn.includes("cluster-k3s-install"));
    const storage = find(recorded, "kubernetes:storage.k8s.io/v1:StorageClassPatch", "cluster-default-storage");
    assert.equal(
      (storage.inputs.metadata as { annotations: Record<string, string> }).annotations[
        "storageclass.kubernetes.io/is-default-class"
      ],
      "true",
    );
    const provider = find(recorded, PROVIDER, "cluster-provider");
    assert.ok(isSecretAt(provider.raw, "kubeconfig"));
  });

  it("k3s over SSH, HA: per host the checked binary copied over SSH, then the service; token on stdin; no curl, no sudo", async () => {
    const plan = acme("production", (p) => {
      p.cluster = k3s([
        node("10.0.0.1", "server"),
        node("10.0.0.2", "server"),
        node("10.0.0.3", "server"),
        { ...node("10.0.0.4", "agent"), sshKeyPath: "/keys/agent", arch: "arm64" },
      ]);
    });
    const amd = { path: "/home/me/.cto/tools/k3s/1.31.4+k3s1/linux-amd64/k3s", sha256: "a".repeat(64) };
    const arm = { path: "/home/me/.cto/tools/k3s/1.31.4+k3s1/linux-arm64/k3s", sha256: "b".repeat(64) };
    const { recorded } = await buildUnderMocks(plan, undefined, {
      cluster: {
        ssh: { privateKeys: { "10.0.0.4": "-----BEGIN OPENSSH PRIVATE KEY-----" }, agentSocketPath: "/run/ssh.sock" },
        k3sBinaries: { amd64: amd, arm64: arm },
      },
    });
    assert.deepEqual(names(recorded, REMOTE), [
      "cluster-k3s-agent-10.0.0.4",
      "cluster-k3s-server-10.0.0.1",
      "cluster-k3s-server-10.0.0.2",
      "cluster-k3s-server-10.0.0.3",
      "cluster-kubeconfig",
    ]);
    assert.deepEqual(names(recorded, COPY), [
      "cluster-k3s-binary-10.0.0.1",
      "cluster-k3s-binary-10.0.0.2",
      "cluster-k3s-binary-10.0.0.3",
      "cluster-k3s-binary-10.0.0.4",
    ]);
    // Each host gets the binary of its arch, as a file asset, at a versioned path; a new digest replaces it.
    const copyOf = (host: string) => find(recorded, COPY, `cluster-k3s-binary-${host}`);
    const source = (host: string) => copyOf(host).inputs.source as { path?: string };
    assert.equal(source("10.0.0.1").path, amd.path);
    assert.equal(source("10.0.0.4").path, arm.path);
    assert.equal(copyOf("10.0.0.1").inputs.remotePath, "/var/lib/cto/k3s/k3s-v1.31.4+k3s1-linux-amd64");
    assert.equal(copyOf("10.0.0.4").inputs.remotePath, "/var/lib/cto/k3s/k3s-v1.31.4+k3s1-linux-arm64");
    assert.deepEqual(copyOf("10.0.0.4").inputs.triggers, [arm.sha256]);
    assert.equal((copyOf("10.0.0.4").inputs.connection as { user?: string }).user, "root");

    const first = find(recorded, REMOTE, "cluster-k3s-server-10.0.0.1");
    const create = String(first.inputs.create);
    assert.match(create, /ExecStart=\/usr\/local\/bin\/k3s server --cluster-init --disable traefik/);
    assert.ok(create.includes(`if [ "$got" != '${amd.sha256}' ]; then`), "the host checks the copy's digest");
    assert.ok(first.dependsOn.includes("cluster-k3s-binary-10.0.0.1"), "installs after its copy");
    assert.deepEqual(first.inputs.triggers, ["v1.31.4+k3s1", amd.sha256]);
    assert.ok(isSecretAt(first.raw, "stdin"), "token on stdin, secret");
    assert.ok(!create.includes(String(first.inputs.stdin)), "token not in the script");
    const second = find(recorded, REMOTE, "cluster-k3s-server-10.0.0.2");
    assert.match(String(second.inputs.create), /server --server https:\/\/10\.0\.0\.1:6443/);
    assert.ok(second.dependsOn.includes("cluster-k3s-server-10.0.0.1"));
    assert.deepEqual(copyOf("10.0.0.2").dependsOn, [], "copies go in parallel");
    const agent = find(recorded, REMOTE, "cluster-k3s-agent-10.0.0.4");
    assert.match(
      String(agent.inputs.create),
      /ExecStart=\/usr\/local\/bin\/k3s agent --server https:\/\/10\.0\.0\.1:6443/,
    );
    assert.ok(String(agent.inputs.create).includes(`'${arm.sha256}'`));
    assert.match(String(agent.inputs.delete), /systemctl disable --now k3s/);
    for (const r of recorded.filter((x) => x.type === REMOTE)) {
      for (const script of [r.inputs.create, r.inputs.delete].filter((x) => x !== undefined).map(String)) {
        // Messages may say that cto does not run sudo; no command does.
        assert.doesNotMatch(
          script.replace(/echo '[^']*'|echo "[^"]*"/g, ""),
          /curl|wget|\| *sh\b|sudo|get\.k3s\.io/,
          `${r.name}: no download, piped script or sudo`,
        );
      }
    }
    assert.ok(isSecretAt(agent.raw, "connection.privateKey") || isSecretAt(agent.raw, "connection"));
    assert.equal((first.inputs.connection as { agentSocketPath?: string }).agentSocketPath, "/run/ssh.sock");
    const read = find(recorded, REMOTE, "cluster-kubeconfig");
    assert.equal(read.inputs.create, "cat /etc/rancher/k3s/k3s.yaml");
    assert.equal(read.inputs.logging, "stderr");
    find(recorded, "pulumi-nodejs:dynamic/cto:GeneratedSecret", "cluster-k3s-token");
    const file = find(recorded, "pulumi-nodejs:dynamic/cto:KubeconfigFile", "cluster-kubeconfig-file");
    assert.equal(file.inputs.path, "/home/me/.cto/clusters/acme/kubeconfig");
    assert.ok(isSecretAt(file.raw, "content"));
  });

  it("k3s over SSH without the checked binary of a host's arch: an error naming cto doctor --fix, nothing created", async () => {
    const plan = acme("standard", (p) => (p.cluster = k3s([{ ...node("10.0.0.1", "server"), arch: "arm64" }])));
    await assert.rejects(
      buildUnderMocks(plan, undefined, {
        cluster: { k3sBinaries: { amd64: { path: "/k3s", sha256: "a".repeat(64) } } },
      }),
      /no checked k3s v1\.31\.4\+k3s1 binary for linux-arm64 \(host 10\.0\.0\.1\): run cto doctor --fix/,
    );
  });

  it("kind: the PRD's port mappings on the control plane, config on stdin, delete removes the cluster", async () => {
    const plan = acme("minimal", (p) => {
      p.cluster = {
        provider: "kind",
        name: "acme-dev",
        version: "0.29.0",
        nodeImage: "kindest/node:v1.33.1",
        portMappings: [80, 443, 8080, 2746, 3000],
        kubeconfigPath: "/home/me/.cto/clusters/acme-dev/kubeconfig",
      };
      p.registry = { type: "local", url: "localhost:5001", namespace: "", hasCredentials: false };
      p.secretNames = p.secretNames.filter((n) => n !== "registry.password");
    });
    const { recorded, outputs } = await buildUnderMocks(plan);
    const create = find(recorded, LOCAL, "cluster-kind");
    const config = parse(String(create.inputs.stdin)) as {
      nodes: { extraPortMappings: { hostPort: number; containerPort: number }[] }[];
      containerdConfigPatches: string[];
    };
    assert.deepEqual(
      config.nodes[0]!.extraPortMappings.map((m) => [m.containerPort, m.hostPort]),
      [80, 443, 8080, 2746, 3000].map((p) => [p, p]),
    );
    assert.match(
      config.containerdConfigPatches[0]!,
      /mirrors\."localhost:5001"\]\n {2}endpoint = \["http:\/\/acme-dev-registry:5000"\]/,
    );
    assert.equal((create.inputs.environment as Record<string, string>).NODE_IMAGE, "kindest/node:v1.33.1");
    assert.match(String(create.inputs.delete), /kind delete cluster --name "\$CLUSTER_NAME"/);
    // The local registry container joins kind's network under the name containerd was given.
    const container = find(recorded, "docker:index/container:Container", "registry-local");
    assert.equal(container.inputs.name, "acme-dev-registry");
    assert.deepEqual(container.inputs.networksAdvanced, [{ name: "kind" }]);
    assert.equal((container.inputs.ports as { external: number }[])[0]!.external, 5001);
    assert.equal(outputs.versions["cluster-kind"], "0.29.0");
  });

  it("minikube: profile, CPUs and memory from the plan", async () => {
    const plan = acme("minimal", (p) => {
      p.cluster = {
        provider: "minikube",
        name: "acme",
        version: "1.36.0",
        cpus: 4,
        memoryMiB: 8192,
        kubeconfigPath: "/k/config",
      };
    });
    const { recorded } = await buildUnderMocks(plan);
    const start = find(recorded, LOCAL, "cluster-minikube");
    assert.deepEqual(start.inputs.environment, {
      CLUSTER_NAME: "acme",
      CPUS: "4",
      MEMORY_MIB: "8192",
      KUBECONFIG: "/k/config",
    });
    assert.match(String(start.inputs.delete), /minikube delete --profile/);
  });

  it("simulated: a SimulatedCluster with the plan's nodes and capacity; its kubeconfig feeds the provider", async () => {
    const plan = acme("standard", (p) => {
      p.cluster = {
        provider: "simulated",
        name: "acme-dev",
        nodes: 3,
        cpu: "4",
        memory: "8Gi",
        kubeconfigPath: "/home/me/.cto/clusters/acme-dev/kubeconfig",
      };
    });
    const { recorded, outputs } = await buildUnderMocks(plan, undefined, {
      cluster: { simulated: { binDir: "/tc/bin" } },
    });
    const simulated = find(recorded, "pulumi-nodejs:dynamic/cto:SimulatedCluster", "cluster-simulated");
    assert.equal(simulated.parent, "cluster");
    for (const [key, value] of Object.entries({
      name: "acme-dev",
      nodes: 3,
      cpu: "4",
      memory: "8Gi",
      workdir: "/home/me/.cto/clusters/acme-dev/kwok",
      binDir: "/tc/bin",
      // the stack that owns the cluster directory (a rerun after a failed create recognises it)
      owner: "cto/dev",
    })) {
      assert.equal(simulated.inputs[key], value, key);
    }
    // The kubeconfig is read by its own resource, bound to the cluster's id only: resizing the
    // cluster leaves its inputs (and so the provider) unchanged.
    const access = find(recorded, "pulumi-nodejs:dynamic/cto:SimulatedKubeconfig", "cluster-simulated-kubeconfig");
    assert.deepEqual(
      Object.keys(access.inputs)
        .filter((k) => !k.startsWith("__") && access.inputs[k] !== undefined)
        .sort(),
      ["cluster", "name", "workdir"],
    );
    assert.equal(access.inputs.workdir, "/home/me/.cto/clusters/acme-dev/kwok");
    assert.equal(recorded.filter((r) => r.type.startsWith("command:")).length, 0, "no command plugin needed");
    const file = find(recorded, "pulumi-nodejs:dynamic/cto:KubeconfigFile", "cluster-kubeconfig-file");
    assert.equal(file.inputs.path, "/home/me/.cto/clusters/acme-dev/kubeconfig");
    assert.equal(file.inputs.content, FAKE_KUBECONFIG);
    assert.ok(isSecretAt(file.raw, "content"));
    const provider = find(recorded, PROVIDER, "cluster-provider");
    assert.equal(provider.inputs.kubeconfig, FAKE_KUBECONFIG);
    assert.equal(String(provider.inputs.enableConfigMapMutable), "true");
    assert.equal(String(provider.inputs.enableSecretMutable), "true");
    assert.equal(await valueOf(outputs.clusterEndpoint), "https://127.0.0.1:6443");
    const storage = find(recorded, "kubernetes:storage.k8s.io/v1:StorageClass", "cluster-default-storage");
    assert.equal(storage.provider, "cluster-provider");
    assert.equal(
      (storage.inputs.metadata as { annotations: Record<string, string> }).annotations[
        "storageclass.kubernetes.io/is-default-class"
      ],
      "true",
    );
  });

  it("kubeconfig helpers: endpoint of a context, and a remote server's address", () => {
    assert.equal(kubeconfigEndpoint(FAKE_KUBECONFIG), "https://127.0.0.1:6443");
    assert.equal(kubeconfigEndpoint(FAKE_KUBECONFIG, "nope"), undefined);
    assert.equal(kubeconfigEndpoint("{not yaml"), undefined);
    assert.match(pointKubeconfigAt(FAKE_KUBECONFIG, "10.0.0.1"), /https:\/\/10\.0\.0\.1:6443/);
    assert.match(pointKubeconfigAt(FAKE_KUBECONFIG, "fd00::1"), /https:\/\/\[fd00::1\]:6443/);
    const plan = acme("minimal");
    assert.ok(
      kindConfig({
        provider: "kind",
        name: plan.cluster.name,
        version: "0",
        nodeImage: "x",
        portMappings: [],
        kubeconfigPath: "/k",
      }).includes("ingress-ready=true"),
    );
  });
});
