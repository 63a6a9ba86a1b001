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
import { allStrings, find } from "./harness.js";

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
      assert.ok(releases.includes("argo-cd") && !releases.includes("controller"));
      find(recorded, "kubernetes:apps/v1:Deployment", "controller-deployment-cto-controller");
      // The publisher's registry path may appear only as the images the release pins for it.
      const pinned = [plan.images.controller, ...Object.values(plan.images.agents)].map(
        (i) => `${i.registry}/${i.repository}`,
      );
      assert.ok(
        recorded.some((r) => allStrings(r.inputs).some((t) => pinned.some((p) => t.includes(p)))),
        "the pinned images are used",
      );
      assert.equal(releases.includes("monitoring"), profile !== "minimal");
      assert.equal(releases.includes("backup"), profile === "production");
      for (const resource of recorded) {
        for (const text of allStrings([resource.name, resource.inputs])) {
          const rest = pinned.reduce((t, image) => t.replaceAll(image, "<pinned image>"), text);
          assert.ok(!/5d ?labs/i.test(rest), `${resource.name}: ${rest.slice(0, 80)}`);
        }
      }
      assert.equal(outputs.versions.platform, plan.release);
    });
  }
});
