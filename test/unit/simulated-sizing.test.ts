import { strict as assert } from "node:assert";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig, parseConfigText } from "../../config/load.js";
import { packageRoot } from "../../config/paths.js";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import { defaultSimulatedNodeSize } from "../../profiles/node-size.js";
import type { ComponentPlan, Plan } from "../../profiles/plan.js";
import { formatCpu, formatGiB, parseCpu, parseMemory } from "../../profiles/quantity.js";
import { planRequests, type PlanDemand } from "../../profiles/requests.js";
import { resolvePlan } from "../../profiles/resolve.js";
import { capacityCheck } from "../../stacks/preflight/checks/cluster.js";
import { fakeProbes, GiB, runCheck } from "./preflight-fixtures.js";

const PROFILE_NODE = { cpu: "4", memory: "8Gi" };

/** A component with no recorded estimate: it requests DEFAULT_REQUEST (100m/128Mi). */
const unestimated = (name: string): ComponentPlan => ({
  name,
  category: "optional",
  required: false,
  dependencies: [],
  installOrder: 1,
  namespace: name,
});

const demand = (agents: [string, string][], components: ComponentPlan[] = [], ha = false): PlanDemand => ({
  components,
  agents: agents.map(([cpu, memory], i) => ({ name: `a${i}`, resources: { cpu, memory }, features: {} })),
  features: { highAvailability: ha },
});

describe("simulated node sizes: defaultSimulatedNodeSize", () => {
  it("keeps the profile's machine size, as written, when the requests and headroom fit in it", () => {
    assert.deepEqual(defaultSimulatedNodeSize(demand([["1", "2Gi"]]), 1, PROFILE_NODE), PROFILE_NODE);
    assert.deepEqual(defaultSimulatedNodeSize(demand([]), 3, { cpu: "8", memory: "16Gi" }), {
      cpu: "8",
      memory: "16Gi",
    });
  });
  it("grows to the requests plus headroom, rounded up to whole cores and GiB", () => {
    // Requests that exactly fill the profile's node (4 CPU, 8 GiB) still grow it by the headroom:
    // ×1.25 = 5 CPU and 10 GiB, room for the workflow pods the agents start.
    assert.deepEqual(
      defaultSimulatedNodeSize(
        demand([
          ["2", "4Gi"],
          ["2", "4Gi"],
        ]),
        1,
        PROFILE_NODE,
      ),
      { cpu: "5", memory: "10Gi" },
    );
    // 5 CPU and 10 GiB requested; ×1.25 = 6.25 CPU and 12.5 GiB on one node.
    assert.deepEqual(
      defaultSimulatedNodeSize(
        demand([
          ["3", "6Gi"],
          ["2", "4Gi"],
        ]),
        1,
        PROFILE_NODE,
      ),
      { cpu: "7", memory: "13Gi" },
    );
  });
  it("spreads the requests over the nodes, never below the profile's size in either dimension", () => {
    // 10 CPU and 10 GiB over 2 nodes: 6.25 CPU (→ 7) and 6.25 GiB (< 8Gi: the profile's memory stays).
    const d = demand([
      ["5", "5Gi"],
      ["5", "5Gi"],
    ]);
    assert.deepEqual(defaultSimulatedNodeSize(d, 2, PROFILE_NODE), { cpu: "7", memory: "8Gi" });
    assert.deepEqual(defaultSimulatedNodeSize(d, 1, PROFILE_NODE), { cpu: "13", memory: "13Gi" });
  });
  it("fits the largest agent's pod on one node", () => {
    // 12 CPU and 20 GiB over 3 nodes would be 5 CPU and 8.4 GiB each, but the pod needs one node.
    assert.deepEqual(defaultSimulatedNodeSize(demand([["12", "20Gi"]]), 3, PROFILE_NODE), {
      cpu: "12",
      memory: "20Gi",
    });
  });
  it("counts components and high availability exactly as planRequests does", () => {
    // 40 unknown components at 100m/128Mi = 4 CPU and 5 GiB; ×1.25 = 5 CPU (exactly) and 6.25 GiB.
    const many = Array.from({ length: 40 }, (_, i) => unestimated(`c${i}`));
    const d = demand([], many);
    assert.ok(Math.abs(planRequests(d).cpu - 4) < 1e-9);
    assert.deepEqual(defaultSimulatedNodeSize(d, 1, { cpu: "1", memory: "1Gi" }), { cpu: "5", memory: "7Gi" });
    // Argo CD is replicated under high availability: more requests, bigger nodes.
    const argo = [{ ...unestimated("argo-cd"), category: "core" as const }];
    const tiny = { cpu: "1", memory: "1Gi" };
    const single = defaultSimulatedNodeSize(demand([], argo, false), 1, tiny);
    const ha = defaultSimulatedNodeSize(demand([], argo, true), 1, tiny);
    assert.ok(parseCpu(ha.cpu) > parseCpu(single.cpu), `${ha.cpu} vs ${single.cpu}`);
    assert.ok(parseMemory(ha.memory) > parseMemory(single.memory), `${ha.memory} vs ${single.memory}`);
  });
});

describe("simulated cluster: default sizes pass cto doctor's capacity check, explicit ones are kept", () => {
  let catalog: Catalog;
  let tmp: string;
  before(async () => {
    catalog = await loadCatalog();
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-sizing-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const config = (profile: string, agents: string, simulated: string) => `version: "0.1.0"
profile: ${profile}
platform: { name: acme-platform, domain: acme.example }
github: { organization: acme, repository: platform }
backup: { bucket: acme-backups, region: eu-west-1, endpoint: "https://s3.acme.example" }
agents:
${agents}cluster:
  provider: simulated
  simulated: ${simulated}
`;
  const resolve = async (text: string, environment = "dev"): Promise<Plan> =>
    (
      await resolvePlan(
        parseConfigText(text, "cto.yaml", { env: {} }),
        { environment, home: path.join(tmp, "home"), baseDir: tmp, env: { HOME: tmp } },
        catalog,
      )
    ).plan;
  /** The capacity check before the cluster exists: it compares with the plan's node sizes. */
  const capacity = (plan: Plan) => runCheck(capacityCheck, plan, fakeProbes());

  const AGENT_SETS: Record<string, string> = {
    "no agents": "  {}\n",
    "profile agent defaults": "  rex: {}\n  cleo: {}\n",
    "the example's agents":
      "  rex: { resources: { cpu: 2, memory: 4Gi } }\n  cleo: { resources: { cpu: 1, memory: 2Gi } }\n",
    "many big agents":
      "  rex: { resources: { cpu: 8, memory: 24Gi } }\n" +
      Array.from({ length: 9 }, (_, i) => `  agent${i}: { resources: { cpu: 2, memory: 4Gi } }\n`).join(""),
  };
  const NODES: Record<string, string> = {
    "profile's node count": "{}",
    "one node": "{ nodes: 1 }",
    "five nodes": "{ nodes: 5 }",
  };

  for (const profile of ["minimal", "standard", "production"]) {
    for (const [agentsName, agents] of Object.entries(AGENT_SETS)) {
      for (const [nodesName, simulated] of Object.entries(NODES)) {
        if (profile === "production" && nodesName === "one node") {
          it(`${profile}, ${agentsName}, ${nodesName}: refused, high availability needs three nodes`, async () => {
            await assert.rejects(resolve(config(profile, agents, simulated)), /high availability needs at least 3/);
          });
          continue;
        }
        it(`${profile}, ${agentsName}, ${nodesName}: fits, never below the profile's machine size`, async () => {
          const plan = await resolve(config(profile, agents, simulated));
          assert.equal(plan.cluster.provider, "simulated");
          if (plan.cluster.provider !== "simulated") return;
          const stated = catalog.profiles[profile]?.cluster;
          assert.ok(stated);
          if (simulated === "{}") assert.equal(plan.cluster.nodes, stated.nodes);
          assert.ok(parseCpu(plan.cluster.cpu) >= parseCpu(stated.cpu), plan.cluster.cpu);
          assert.ok(parseMemory(plan.cluster.memory) >= parseMemory(stated.memory), plan.cluster.memory);
          if (profile === "production") {
            assert.equal(plan.features.highAvailability, true);
            assert.ok(plan.cluster.nodes >= 3);
          }
          const r = await capacity(plan);
          assert.equal(r.status, "ok", r.reason);
          assert.match(r.reason, /^the plan requests .*; the planned \d+ nodes? ha(s|ve) /);
        });
      }
    }
  }

  it("a profile's own size is kept when the plan fits in it (standard, no agents: 2 × 4 CPU, 8Gi)", async () => {
    const plan = await resolve(config("standard", AGENT_SETS["no agents"] ?? "", "{}"));
    assert.deepEqual(
      plan.cluster.provider === "simulated" && [plan.cluster.nodes, plan.cluster.cpu, plan.cluster.memory],
      [2, "4", "8Gi"],
    );
  });

  it("explicit sizes are kept as written, and a too-small one is refused with the shortfall", async () => {
    const agents = AGENT_SETS["the example's agents"] ?? "";
    const plan = await resolve(config("minimal", agents, '{ nodes: 1, cpu: "2", memory: 4Gi }'));
    assert.ok(plan.cluster.provider === "simulated");
    assert.deepEqual([plan.cluster.nodes, plan.cluster.cpu, plan.cluster.memory], [1, "2", "4Gi"]);
    const need = planRequests(plan);
    const r = await capacity(plan);
    assert.equal(r.status, "fail");
    assert.equal(
      r.reason,
      `short by ${formatCpu(need.cpu - 2)} and ${formatGiB(need.memoryBytes - 4 * GiB)}: the plan requests ` +
        `${formatCpu(need.cpu)} and ${formatGiB(need.memoryBytes)}; the planned 1 node has 2 CPU and 4 GiB`,
    );
    assert.match(r.fix ?? "", /Raise cluster\.simulated\.nodes, \.cpu or \.memory/);
  });

  it("an explicit CPU that is too small is refused for CPU alone; the unset memory is still fitted", async () => {
    const plan = await resolve(config("standard", AGENT_SETS["the example's agents"] ?? "", '{ cpu: "1" }'));
    assert.ok(plan.cluster.provider === "simulated");
    assert.equal(plan.cluster.cpu, "1");
    const r = await capacity(plan);
    assert.equal(r.status, "fail");
    assert.match(r.reason, /^short by [0-9.]+ CPU: the plan requests /);
  });

  it("an explicit size that is big enough is not grown", async () => {
    const plan = await resolve(
      config("minimal", AGENT_SETS["the example's agents"] ?? "", "{ cpu: 32, memory: 64Gi }"),
    );
    assert.ok(plan.cluster.provider === "simulated");
    assert.deepEqual([plan.cluster.cpu, plan.cluster.memory], ["32", "64Gi"]);
    assert.equal((await capacity(plan)).status, "ok");
  });

  it("switching on every feature a profile allows keeps the default node size, and it still fits", async () => {
    for (const profile of ["minimal", "standard", "production"]) {
      const agents = AGENT_SETS["the example's agents"] ?? "";
      const base = await resolve(config(profile, agents, "{}"));
      const on = catalog.profiles[profile]?.allowed_features.map((f) => `  ${f}: true\n`).join("") ?? "";
      const mail = "mail: { smtp_host: smtp.acme.example, from: cto@acme.example }\n";
      const all = await resolve(config(profile, agents, "{}") + mail + `features:\n${on}`);
      assert.ok(base.cluster.provider === "simulated" && all.cluster.provider === "simulated");
      assert.ok(all.components.length > base.components.length || profile === "production", profile);
      assert.deepEqual([all.cluster.cpu, all.cluster.memory], [base.cluster.cpu, base.cluster.memory], profile);
      const r = await capacity(all);
      assert.equal(r.status, "ok", `${profile} with every feature: ${r.reason}`);
    }
  });

  it("examples/cto.yaml: its simulated environments pass the capacity check with default sizes", async () => {
    const example = await loadConfig(path.join(packageRoot(), "examples", "cto.yaml"), { env: {} });
    for (const environment of ["dev", "staging"]) {
      const { plan } = await resolvePlan(
        example,
        { environment, home: path.join(tmp, "home"), baseDir: tmp, env: { HOME: tmp } },
        catalog,
      );
      assert.equal(plan.cluster.provider, "simulated", environment);
      const r = await capacity(plan);
      assert.equal(r.status, "ok", `${environment}: ${r.reason}`);
    }
  });
});
