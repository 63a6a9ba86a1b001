/**
 * The SimulatedCluster dynamic resource under the real Pulumi engine (Automation API, inline
 * program, file backend): create starts a kwok cluster with the requested nodes and capacity,
 * an update rescales it in place (same API server), and destroy removes it. Everything is read
 * back through the Kubernetes API (kubectl), not through our outputs.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import { SimulatedCluster, SimulatedKubeconfig } from "../../components/cluster/simulated.js";
import { repoRoot } from "../helpers/chart-repo.js";
import { exec, Kubectl, KubeList, pulumiEnv, requireToolchain } from "../helpers/kwok.js";

describe("SimulatedCluster (kwok) under the real Pulumi engine", function () {
  this.timeout(300_000);
  const clusterName = `sim-${process.pid}`;
  let bin: string;
  let work: string;
  let stack: Stack;
  let cleanupPulumi: () => Promise<void>;
  let desired = { nodes: 2, cpu: "2", memory: "4Gi" };

  before(async () => {
    bin = requireToolchain();
    work = await mkdtemp(path.join(os.tmpdir(), "cto-sim-e2e-"));
    const p = await pulumiEnv(bin);
    cleanupPulumi = p.cleanup;
    // The dynamic provider host (a shell shim) resolves @pulumi/pulumi from its working
    // directory or NODE_PATH: point NODE_PATH at the project's node_modules.
    const envVars = Object.fromEntries(
      Object.entries({ ...p.env, NODE_PATH: path.join(repoRoot(), "node_modules") }).filter(
        (e): e is [string, string] => typeof e[1] === "string",
      ),
    );
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(bin) });
    stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: "e2e",
        projectName: "cto-simulated-e2e",
        program: async () => {
          const cluster = new SimulatedCluster("cluster", {
            name: clusterName,
            ...desired,
            workdir: path.join(work, "kwok"),
            binDir: bin,
          });
          // A provider built from the cluster's kubeconfig and one object through it, as the
          // platform does: resizing the cluster must leave both untouched.
          const access = new SimulatedKubeconfig("access", {
            name: clusterName,
            workdir: path.join(work, "kwok"),
            cluster: cluster.id,
          });
          const provider = new k8s.Provider("k8s", { kubeconfig: access.kubeconfig });
          new k8s.core.v1.ConfigMap("marker", { metadata: { name: "marker" }, data: { a: "b" } }, { provider });
          return { endpoint: cluster.endpoint, kubeconfig: cluster.kubeconfig };
        },
      },
      { pulumiCommand, envVars, pulumiHome: p.env.PULUMI_HOME, workDir: work },
    );
  });

  after(async () => {
    try {
      if (stack) await stack.destroy();
    } finally {
      // Belt and braces: never leave a cluster running after a failed test.
      await exec(path.join(bin, "kwokctl"), ["--name", clusterName, "delete", "cluster"], {
        env: { ...process.env, KWOK_RUNTIME: "binary", KWOK_WORKDIR: path.join(work, "kwok") },
      });
      await rm(work, { recursive: true, force: true });
      await cleanupPulumi?.();
    }
  });

  /** kubectl with the kubeconfig from the stack output (written to a 0600 file). */
  async function kubectl(): Promise<Kubectl> {
    const outputs = await stack.outputs();
    const file = path.join(work, "kubeconfig.yaml");
    await writeFile(file, String(outputs.kubeconfig?.value), { mode: 0o600 });
    assert.equal(outputs.kubeconfig?.secret, true, "the kubeconfig output is a secret");
    return new Kubectl(file);
  }

  async function nodes(k: Kubectl): Promise<{ name: string; cpu?: string; memory?: string; ready: boolean }[]> {
    const list = await k.json<KubeList>("get", "nodes");
    return list.items.map((n) => ({
      name: n.metadata.name,
      cpu: n.status?.allocatable?.cpu,
      memory: n.status?.allocatable?.memory,
      ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    }));
  }

  let endpoint: string;

  it("creates a cluster with the requested nodes and allocatable capacity", async () => {
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    endpoint = String((await stack.outputs()).endpoint?.value);
    assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    const k = await kubectl();
    assert.deepEqual(
      (await nodes(k)).map(({ cpu, memory, ready }) => ({ cpu, memory, ready })),
      [
        { cpu: "2", memory: "4Gi", ready: true },
        { cpu: "2", memory: "4Gi", ready: true },
      ],
    );
    // Workloads become available: the scheduler, controller-manager and kwok really run.
    await k.ok("create", "deployment", "web", "--image=registry.example/web:1", "--replicas=2");
    await k.ok("wait", "--for=condition=Available", "deployment/web", "--timeout=60s");
  });

  it("an unchanged program is a no-op", async () => {
    const preview = await stack.preview();
    assert.deepEqual(preview.changeSummary, { same: 5 });
  });

  it("a resize previews as one in-place update: the provider and what it manages stay the same", async () => {
    desired = { nodes: 3, cpu: "4", memory: "8Gi" };
    const preview = await stack.preview();
    assert.deepEqual(preview.changeSummary, { same: 4, update: 1 });
  });

  it("rescales nodes and capacity in place (same API server, workloads kept)", async () => {
    const up = await stack.up();
    assert.equal(up.summary.resourceChanges?.update, 1, JSON.stringify(up.summary.resourceChanges));
    assert.equal(String((await stack.outputs()).endpoint?.value), endpoint);
    const k = await kubectl();
    const after = await nodes(k);
    assert.equal(after.length, 3);
    for (const n of after) assert.deepEqual([n.cpu, n.memory, n.ready], ["4", "8Gi", true], n.name);
    assert.match(await k.ok("get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}"), /^2$/);
  });

  it("destroy deletes the cluster", async () => {
    const kubeconfigDir = path.join(work, "kwok", "clusters", clusterName);
    assert.ok(existsSync(kubeconfigDir));
    const res = await stack.destroy();
    assert.equal(res.summary.result, "succeeded");
    assert.equal(existsSync(kubeconfigDir), false);
    assert.equal(existsSync(path.join(work, "kwok")), false, "kwok's emptied work directory is removed too");
    const k = new Kubectl(path.join(work, "kubeconfig.yaml"));
    const r = await k.run("get", "nodes", "--request-timeout=3s");
    assert.notEqual(r.code, 0, "the API server is gone");
  });
});
