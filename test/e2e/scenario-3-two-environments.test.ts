/**
 * Scenario 3: `dev` and `staging` side by side, each in its own stack and simulated cluster;
 * destroying `dev` leaves `staging` untouched (same workloads, same Helm revisions).
 */
import { strict as assert } from "node:assert";
import { CtoProject, helmReleases, workloads } from "../helpers/cto-project.js";

const NAMESPACES = ["argocd", "argo", "cto"];

describe("scenario 3: dev and staging side by side", function () {
  this.timeout(1_800_000);
  let p: CtoProject;

  before(async () => {
    p = await CtoProject.create();
    await p.init("minimal", "acme");
    // Each environment gets its own simulated cluster.
    await p.editConfig((doc) => {
      doc.setIn(["environments", "dev", "cluster", "name"], "acme-dev");
      doc.setIn(["environments", "staging", "cluster", "name"], "acme-staging");
    });
  });
  after(() => p?.teardown("staging", "dev"));
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("both environments come up, each in its own cluster", async () => {
    await p.ok("up", "--yes", "--env", "dev");
    await p.ok("up", "--yes", "--env", "staging");
    assert.deepEqual(p.clusters().sort(), ["acme-dev", "acme-staging"]);
    for (const c of ["acme-dev", "acme-staging"]) {
      const all = await workloads(p.kubectl(c), NAMESPACES);
      assert.ok(all.length >= 8, `${c}: ${JSON.stringify(all)}`);
      for (const w of all) assert.equal(w.ready, w.desired, `${c} ${w.ref}`);
    }
  });

  it("destroying dev leaves staging untouched", async () => {
    const staging = p.kubectl("acme-staging");
    const beforeWorkloads = await workloads(staging, NAMESPACES);
    const beforeReleases = [...(await helmReleases(staging)).entries()].sort();
    await p.ok("destroy", "--yes", "--env", "dev");
    assert.deepEqual(p.clusters(), ["acme-staging"]);
    assert.deepEqual(await workloads(staging, NAMESPACES), beforeWorkloads);
    assert.deepEqual([...(await helmReleases(staging)).entries()].sort(), beforeReleases);
    await p.ok("status", "--env", "staging");
  });
});
