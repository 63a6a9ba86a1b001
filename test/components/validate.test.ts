/** Setting combinations that cannot be built are rejected by name, before any resource exists. */
import assert from "node:assert/strict";
import { UserError } from "../../config/errors.js";
import { findPlanProblems } from "../../components/validate.js";
import type { Plan, SshNodePlan } from "../../profiles/plan.js";
import { buildPlatform } from "../../stacks/program.js";
import { acme, acmeSecrets } from "./fixtures.js";
import { recordResources, settle } from "./harness.js";

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

const CASES: { name: string; plan: Plan; secrets?: Record<string, string>; id: string; message: string }[] = [
  {
    name: "HA on a single k3s node on this machine",
    plan: acme("production", (p) => (p.cluster = k3s([]))),
    id: "ha-single-node",
    message:
      "features.high_availability needs several nodes, but cluster.provider k3s runs a single node on this machine",
  },
  {
    name: "HA on kind",
    plan: acme("production", (p) => {
      p.cluster = {
        provider: "kind",
        name: "acme",
        version: "0.29.0",
        nodeImage: "kindest/node:v1.33.1",
        portMappings: [80],
        kubeconfigPath: "/k",
      };
    }),
    id: "ha-single-node",
    message:
      "features.high_availability needs several nodes, but cluster.provider kind runs a single node on this machine",
  },
  {
    name: "HA with one k3s server and an agent",
    plan: acme("production", (p) => (p.cluster = k3s([node("10.0.0.1", "server"), node("10.0.0.2", "agent")]))),
    id: "ha-too-few-servers",
    message: "features.high_availability with k3s needs three servers (embedded etcd), but cluster.nodes has 1",
  },
  {
    name: "two k3s servers",
    plan: acme("standard", (p) => (p.cluster = k3s([node("10.0.0.1", "server"), node("10.0.0.2", "server")]))),
    id: "k3s-even-servers",
    message: "cluster.nodes has 2 k3s servers: embedded etcd needs an odd number of servers to keep quorum",
  },
  {
    name: "agents only",
    plan: acme("standard", (p) => (p.cluster = k3s([node("10.0.0.2", "agent")]))),
    id: "k3s-no-server",
    message: "cluster.nodes lists only agents: a k3s cluster needs at least one node with role: server",
  },
  {
    name: "HA on one simulated node",
    plan: acme("production", (p) => {
      p.cluster = {
        provider: "simulated",
        name: "acme",
        nodes: 1,
        cpu: "8",
        memory: "32Gi",
        kubeconfigPath: "/k/kubeconfig",
      };
    }),
    id: "ha-too-few-simulated-nodes",
    message: "features.high_availability spreads replicas over nodes, but cluster.simulated.nodes is 1",
  },
  {
    name: "backup without an object store",
    plan: acme("production", (p) => delete p.backup),
    id: "backup-without-store",
    message: "features.backup is on but no object store is configured: backup.bucket is not set",
  },
  {
    name: "controller without Argo Workflows",
    plan: acme("minimal", (p) => (p.components = p.components.filter((c) => c.name !== "argo-workflows"))),
    id: "missing-dependency",
    message: "component controller needs argo-workflows, which this plan leaves out",
  },
  {
    name: "a local registry for nodes on other hosts",
    plan: acme("standard", (p) => {
      p.cluster = k3s([node("10.0.0.1", "server"), node("10.0.0.2", "agent")]);
      p.registry = { type: "local", url: "localhost:5001", namespace: "", hasCredentials: false };
    }),
    id: "local-registry-remote-nodes",
    message:
      "registry.type local runs a registry on this machine, which k3s nodes on other hosts (cluster.nodes) cannot pull from",
  },
  {
    name: "registry credentials without the password",
    plan: acme("minimal"),
    secrets: {},
    id: "missing-secret",
    message: "registry.password is expected (the plan has registry credentials) but no value was given",
  },
  {
    name: "a cloudflare tunnel without its token",
    plan: acme("minimal", (p) => (p.github.tunnel = { provider: "cloudflare" })),
    id: "missing-secret",
    message: "github.tunnel.provider cloudflare needs a token, but github.tunnel.token is not set",
  },
];

describe("invalid combinations are rejected with the documented message", function () {
  this.timeout(30_000);

  for (const c of CASES) {
    it(`${c.name} → ${c.id}`, async () => {
      const secrets = c.secrets ?? acmeSecrets(c.plan);
      const problems = findPlanProblems(c.plan, secrets);
      assert.deepEqual(
        problems.map((p) => [p.id, p.message]),
        [[c.id, c.message]],
      );
      const recorded = await recordResources();
      assert.throws(
        () => buildPlatform(c.plan, secrets),
        (err: unknown) => err instanceof UserError && err.exitCode === 2 && err.message.includes(c.message),
      );
      await settle();
      assert.equal(recorded.length, 0, "nothing was created");
    });
  }

  it("the acme plans of every profile have no problem", () => {
    for (const profile of ["minimal", "standard", "production"] as const) {
      const plan = acme(profile);
      assert.deepEqual(findPlanProblems(plan, acmeSecrets(plan)), []);
    }
  });

  it("HA with three k3s servers and agents is accepted", () => {
    const plan = acme("production", (p) => {
      p.cluster = k3s([
        node("10.0.0.1", "server"),
        node("10.0.0.2", "server"),
        node("10.0.0.3", "server"),
        node("10.0.0.4", "agent"),
      ]);
    });
    assert.deepEqual(findPlanProblems(plan, acmeSecrets(plan)), []);
  });
});
