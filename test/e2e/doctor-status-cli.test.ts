/**
 * Issue 6 through the built `cto` binary on a simulated cluster (real engine, kwok API server,
 * stand-in chart mirror): a cluster too small for the profile is refused by `cto doctor` and
 * `cto up` with the shortfall and nothing created; a platform workload that cannot be scheduled is
 * reported by `cto status` (exit 1) with the stuck object, its event and the mapped fix.
 */
import { strict as assert } from "node:assert";
import { CtoProject } from "../helpers/cto-project.js";

const CLUSTER = "acme-doc";

describe("cto doctor / up / status on a simulated cluster: too small, and a stuck workload", function () {
  this.timeout(1_200_000);
  let p: CtoProject;

  before(async () => {
    p = await CtoProject.create();
    await p.init("minimal", CLUSTER);
  });
  after(() => p?.teardown());
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("nodes too small for the profile: doctor and up refuse with the shortfall; nothing is created", async () => {
    await p.editConfig((doc) => doc.setIn(["cluster", "simulated"], { nodes: 1, cpu: "1", memory: "1Gi" }));
    const doctor = await p.cto(["doctor"]);
    assert.equal(doctor.code, 1, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout + doctor.stderr, /Cluster capacity\s+short by [0-9.]+ CPU and [0-9.]+ GiB/);
    const up = await p.cto(["up", "--yes"]);
    assert.equal(up.code, 1, up.stdout + up.stderr);
    assert.match(up.stderr, /short by [0-9.]+ CPU and [0-9.]+ GiB: the plan requests .* the planned 1 node has 1 CPU/);
    assert.match(up.stderr, /nothing was changed/);
    assert.deepEqual(p.clusters(), [], "no simulated cluster was started");
  });

  it("with the default size the install succeeds and cto status exits 0", async () => {
    await p.editConfig((doc) => doc.deleteIn(["cluster", "simulated"]));
    await p.ok("up", "--yes");
    await p.ok("status");
  });

  it("a workload the scheduler cannot place: cto status exits 1 naming it, its event and the fix", async () => {
    const k = p.kubectl(CLUSTER);
    // Ask for more CPU than any node has: the new pod of the rollout stays Pending (FailedScheduling).
    await k.ok(
      ...["-n", "argo", "patch", "deployment", "argo-workflows-server", "--type=json", "-p"],
      JSON.stringify([
        { op: "add", path: "/spec/template/spec/containers/0/resources", value: { requests: { cpu: "500" } } },
      ]),
    );
    // Give the scheduler a moment to record its event.
    let status = await p.cto(["status"]);
    for (let i = 0; i < 20 && !/FailedScheduling|Insufficient cpu/.test(status.stdout + status.stderr); i++) {
      await new Promise((r) => setTimeout(r, 3000));
      status = await p.cto(["status"]);
    }
    const text = status.stdout + status.stderr;
    assert.equal(status.code, 1, text);
    assert.match(text, /argo-workflows/);
    assert.match(text, /argo-workflows-server/);
    assert.match(text, /Insufficient cpu/);
    assert.match(text, /fix:/i);
  });
});
