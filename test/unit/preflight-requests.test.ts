import { strict as assert } from "node:assert";
import { formatCpu, formatGiB, parseCpu, parseMemory } from "../../profiles/quantity.js";
import { COMPONENT_REQUESTS, DEFAULT_REQUEST, planRequests } from "../../profiles/requests.js";
import { GiB, makePlan } from "./preflight-fixtures.js";

describe("preflight: the plan's requests", () => {
  it("parses Kubernetes quantities", () => {
    assert.equal(parseCpu("500m"), 0.5);
    assert.equal(parseCpu("2"), 2);
    assert.equal(parseCpu(1.5), 1.5);
    assert.equal(parseMemory("512Mi"), 512 * 2 ** 20);
    assert.equal(parseMemory("1G"), 1e9);
    assert.equal(parseMemory("1e3"), 1000);
    assert.equal(parseMemory("8Gi"), 8 * GiB);
    assert.throws(() => parseCpu("two"), /not a CPU quantity/);
    assert.throws(() => parseMemory("8 gigs"), /not a memory quantity/);
  });
  it("formats shortfalls rounded up to one decimal", () => {
    assert.equal(formatCpu(3.5), "3.5 CPU");
    assert.equal(formatCpu(3.41), "3.5 CPU");
    assert.equal(formatGiB(6 * GiB), "6 GiB");
    assert.equal(formatGiB(0.25 * GiB), "0.3 GiB");
  });
  it("sums components (by chart name first) and agents; HA multiplies replicated components", () => {
    const plan = makePlan();
    plan.components = [
      { name: "argo-cd", category: "core", required: true, dependencies: [], installOrder: 1, namespace: "argocd" },
      {
        name: "monitoring",
        category: "monitoring",
        required: false,
        dependencies: [],
        installOrder: 2,
        namespace: "monitoring",
        chart: { repository: "https://x", chart: "kube-prometheus-stack", version: "1.0.0" },
      },
    ];
    plan.agents = [{ name: "rex", resources: { cpu: "4", memory: "8Gi" }, features: {} }];
    const r = planRequests(plan);
    const argo = COMPONENT_REQUESTS.argocd;
    const kps = COMPONENT_REQUESTS.kubeprometheusstack;
    assert.ok(argo && kps);
    assert.ok(Math.abs(r.cpu - (argo.cpu + kps.cpu + 4)) < 1e-9);
    assert.equal(r.memoryBytes, parseMemory(argo.memory) + parseMemory(kps.memory) + 8 * GiB);
    assert.deepEqual(
      r.lines.map((l) => l.source),
      ["component argo-cd", "component monitoring", "agent rex"],
    );
    const ha = planRequests({ ...plan, features: { ...plan.features, highAvailability: true } });
    assert.ok(Math.abs(ha.cpu - (argo.cpu * argo.ha + kps.cpu * kps.ha + 4)) < 1e-9);
  });
  it("an unknown component gets the default estimate and is reported", () => {
    const plan = makePlan();
    plan.components = [
      { name: "mystery", category: "optional", required: false, dependencies: [], installOrder: 1, namespace: "x" },
    ];
    plan.agents = [];
    const r = planRequests(plan);
    assert.deepEqual(r.unestimated, ["mystery"]);
    assert.equal(r.cpu, DEFAULT_REQUEST.cpu);
  });
  it("every estimate is a valid quantity with a stated basis", () => {
    for (const [name, e] of Object.entries(COMPONENT_REQUESTS)) {
      assert.ok(e.cpu >= 0 && e.ha >= 1, name);
      assert.doesNotThrow(() => parseMemory(e.memory), name);
      assert.ok(e.basis.length > 10, name);
    }
  });
});
