/**
 * The program on plans made by the real resolver from examples/cto.yaml (not hand-written ones):
 * each environment builds, carries no trace of another organisation, and its resources follow
 * the profile it resolves to.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../config/load.js";
import { packageRoot } from "../../config/paths.js";
import { loadCatalog } from "../../profiles/load.js";
import { resolvePlan } from "../../profiles/resolve.js";
import { buildUnderMocks } from "./fixtures.js";
import { allStrings } from "./harness.js";

const ENVIRONMENTS = { dev: "minimal", staging: "standard", prod: "production" } as const;

describe("examples/cto.yaml through resolvePlan and buildPlatform (mocks)", function () {
  this.timeout(120_000);

  for (const [environment, profile] of Object.entries(ENVIRONMENTS)) {
    it(`${environment} (${profile}) builds, with the profile's components and no other organisation`, async () => {
      const file = path.join(packageRoot(), "examples", "cto.yaml");
      const home = mkdtempSync(path.join(tmpdir(), "cto-home-"));
      const env = { HOME: home, CTO_HOME: home };
      const config = await loadConfig(file, { env });
      const { plan, secrets } = await resolvePlan(config, { environment, home, file, env }, await loadCatalog());
      assert.equal(plan.profile.name, profile);
      const { recorded, outputs } = await buildUnderMocks(plan, secrets);

      const releases = recorded.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.name);
      assert.deepEqual(
        [...releases].sort(),
        plan.components
          .filter((c) => c.chart)
          .map((c) => c.name)
          .sort(),
      );
      assert.ok(releases.includes("argo-cd") && releases.includes("controller"));
      assert.equal(releases.includes("monitoring"), profile !== "minimal");
      assert.equal(releases.includes("backup"), profile === "production");
      for (const resource of recorded) {
        for (const text of allStrings([resource.name, resource.inputs])) {
          assert.ok(!/5d ?labs/i.test(text), `${resource.name}: ${text.slice(0, 80)}`);
        }
      }
      assert.equal(outputs.versions.platform, plan.release);
    });
  }
});
