import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Plan } from "../../profiles/plan.js";
import { canonicalJson, fingerprint, hashTree, type FingerprintInputs } from "../../stacks/fingerprint.js";
import { acmePlan } from "../golden/acme-plans.js";

const base = (): FingerprintInputs => ({
  plan: acmePlan("minimal"),
  ctoVersion: "0.5.0",
  programHash: "aaaa",
  config: { "cto:plan": "{}", "cto:runtime": "{}", "cto:secretsDigest": "d1", "cto:credentials": { secure: "v1:x" } },
  cluster: { simulated: { binDir: "/bin" } },
});

/** The plan with one component's chart version changed. */
function withChart(plan: Plan, component: string, version: string): Plan {
  return {
    ...plan,
    components: plan.components.map((c) =>
      c.name === component && c.chart ? { ...c, chart: { ...c.chart, version } } : c,
    ),
  };
}

describe("fingerprint of a run's inputs", () => {
  it("is stable for equal inputs, whatever the key order", () => {
    const a = base();
    const b = { ...base(), config: Object.fromEntries(Object.entries(base().config).reverse()) };
    assert.equal(fingerprint(a), fingerprint(b));
    assert.match(fingerprint(a), /^sha256:[0-9a-f]{64}$/);
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  });

  it("changes when any input changes: plan, chart pin, image pin, program, cto version, config, secrets, cluster", () => {
    const plan = acmePlan("minimal");
    const agent = plan.agents[0];
    assert.ok(agent, "the acme plan has agents");
    const variants: Record<string, FingerprintInputs> = {
      "agent resources": {
        ...base(),
        plan: {
          ...plan,
          agents: [{ ...agent, resources: { ...agent.resources, memory: "7Gi" } }, ...plan.agents.slice(1)],
        },
      },
      "chart pin": { ...base(), plan: withChart(plan, "argo-cd", "9.9.9") },
      "image pin": {
        ...base(),
        plan: { ...plan, images: { ...plan.images, controller: { ...plan.images.controller, tag: "v0.0.0-other" } } },
      },
      release: { ...base(), plan: { ...plan, release: "1999.01" } },
      "templates/program": { ...base(), programHash: "bbbb" },
      "cto version": { ...base(), ctoVersion: "0.5.1" },
      "stack config": { ...base(), config: { ...base().config, "cto:runtime": '{"githubWebhooks":false}' } },
      "secrets digest": { ...base(), config: { ...base().config, "cto:secretsDigest": "d2" } },
      "stored credentials": { ...base(), config: { ...base().config, "cto:credentials": { secure: "v1:y" } } },
      "cluster inputs": { ...base(), cluster: { existingKubeconfig: "apiVersion: v1" } },
    };
    const seen = new Map<string, string>([[fingerprint(base()), "base"]]);
    for (const [name, inputs] of Object.entries(variants)) {
      const fp = fingerprint(inputs);
      assert.ok(!seen.has(fp), `${name}: same fingerprint as ${seen.get(fp)}`);
      seen.set(fp, name);
    }
  });

  it("ignores cto's own records, the generated random store and the secrets' ciphertext", () => {
    const more = {
      ...base(),
      config: {
        ...base().config,
        "cto:update": '{"id":"1"}',
        "cto:historyImport": "[]",
        "cto:random": { secure: "v1:r" },
        "cto:secrets": { secure: "v1:s" },
      },
    };
    assert.equal(fingerprint(more), fingerprint(base()));
  });

  it("hashTree changes with a file's content or name, and hashes single files", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cto-fp-"));
    try {
      writeFileSync(path.join(dir, "a.yaml"), "one");
      const first = await hashTree([dir]);
      assert.equal(await hashTree([dir]), first);
      writeFileSync(path.join(dir, "a.yaml"), "two");
      const second = await hashTree([dir]);
      assert.notEqual(second, first);
      writeFileSync(path.join(dir, "b.yaml"), "");
      assert.notEqual(await hashTree([dir]), second);
      const single = await hashTree([path.join(dir, "a.yaml")]);
      writeFileSync(path.join(dir, "a.yaml"), "three");
      assert.notEqual(await hashTree([path.join(dir, "a.yaml")]), single);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
