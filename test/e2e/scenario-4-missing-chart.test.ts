/**
 * Scenario 4: a chart version the mirror does not have. `cto up` fails with the translated
 * error naming the component and the version; the stack stays usable (not locked, status works);
 * fixing the config and running `cto up` again succeeds.
 */
import { strict as assert } from "node:assert";
import { CtoProject, helmReleases, workloads } from "../helpers/cto-project.js";

const CLUSTER = "acme-fail";

describe("scenario 4: a chart version missing from the mirror", function () {
  this.timeout(1_800_000);
  let p: CtoProject;

  before(async () => {
    p = await CtoProject.create();
    await p.init("minimal", CLUSTER);
    await p.editConfig((doc) => doc.setIn(["charts", "argo-workflows", "version"], "0.99.0"));
  });
  after(() => p?.teardown());
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("cto up fails with the translated error naming the component and the version", async () => {
    const r = await p.cto(["up", "--yes"]);
    assert.equal(r.code, 1, `exit 1\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /argo-workflows/);
    assert.match(r.stderr, /0\.99\.0/);
    assert.match(r.stderr, /fix:/);
    assert.ok(!/panic|at .*\.js:\d+/.test(r.stderr), `no stack trace:\n${r.stderr}`);
    assert.ok(
      p.mirror.requests.some((q) => q.path === "/index.yaml"),
      "the mirror's index was consulted",
    );
  });

  it("the stack is recoverable: not locked, status answers, nothing half-installed", async () => {
    const status = await p.cto(["status"]);
    assert.notEqual(status.code, 2, status.stderr);
    assert.doesNotMatch(status.stderr, /locked/i);
    // The cluster comes before any chart, so it exists; nothing on it is left half-done: no
    // release of argo-workflows, and none failed or pending.
    assert.ok(p.clusters().includes(CLUSTER), `the cluster ${CLUSTER} was created before the failure`);
    const releases = await helmReleases(p.kubectl(CLUSTER));
    assert.equal(releases.has("argo-workflows"), false);
    for (const [name, r] of releases) assert.equal(r.status, "deployed", name);
  });

  it("fixing the version and running cto up again succeeds", async () => {
    // Back to the release's own pin: the override is removed, not replaced by another version.
    await p.editConfig((doc) => doc.deleteIn(["charts", "argo-workflows"]));
    await p.ok("up", "--yes");
    const k = p.kubectl(CLUSTER);
    const releases = await helmReleases(k);
    for (const r of ["argo-cd", "argo-workflows", "argo-events"]) assert.equal(releases.get(r)?.status, "deployed", r);
    // The controller ships with cto (no chart): its Deployment is what the failed run never reached.
    assert.ok(
      (await workloads(k, ["cto"])).some((w) => w.ref.endsWith("/cto-controller")),
      "the controller Deployment exists",
    );
    for (const w of await workloads(k, ["argocd", "argo", "cto"])) assert.equal(w.ready, w.desired, w.ref);
    await p.ok("status");
  });
});
