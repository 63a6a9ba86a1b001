/**
 * Preflight and diagnosis against a real Kubernetes API server, scheduler and controller manager
 * (kwok's simulated cluster, built by scripts/toolchain.sh): a plan too big for the nodes is
 * refused with the shortfall; a Deployment the scheduler cannot place and a pod whose image pull
 * is rate-limited (simulated by a kwok Stage) are diagnosed with their events and fixes.
 */
import { strict as assert } from "node:assert";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Plan } from "../../profiles/plan.js";
import { componentHealth } from "../../stacks/diagnose/health.js";
import { diagnose, type Diagnosis } from "../../stacks/diagnose/diagnose.js";
import { renderDiagnosis } from "../../stacks/diagnose/format.js";
import { runCommand } from "../../stacks/diagnose/run.js";
import { realProbes } from "../../stacks/preflight/probes.js";
import { runPreflight } from "../../stacks/preflight/registry.js";
import { eventually, startKwokCluster, type KwokCluster } from "../helpers/kwok.js";
import { makePlan } from "../unit/preflight-fixtures.js";

/**
 * kwok Stages for this cluster. Giving kwok any Stage replaces its defaults, so this is a small
 * complete set: nodes Ready, ordinary pods Running, deleted pods removed, and pods labelled
 * `cto-e2e/simulate=image-pull-rate-limit` stuck in ImagePullBackOff with the registry's
 * "toomanyrequests" answer and a Warning event, as a kubelet would report them.
 */
const STAGES = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: node-ready }
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
    - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: NotIn, values: ["True"] }
  next:
    statusTemplate: |
      conditions:
      - { type: Ready, status: "True", reason: KubeletReady, message: simulated node }
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: pod-running }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
    - { key: '.metadata.labels["cto-e2e/simulate"]', operator: DoesNotExist }
    - { key: '.metadata.deletionTimestamp', operator: DoesNotExist }
    - { key: '.spec.nodeName', operator: Exists }
    - { key: '.status.phase', operator: In, values: [Pending] }
  next:
    statusTemplate: |
      phase: Running
      conditions:
      - { type: Initialized, status: "True" }
      - { type: ContainersReady, status: "True" }
      - { type: Ready, status: "True" }
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        started: true
        restartCount: 0
        state: { running: { startedAt: {{ Now | Quote }} } }
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: pod-delete }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
    - { key: '.metadata.deletionTimestamp', operator: Exists }
  next:
    delete: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: image-pull-rate-limited }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
    - { key: '.metadata.labels["cto-e2e/simulate"]', operator: In, values: [image-pull-rate-limit] }
    - { key: '.spec.nodeName', operator: Exists }
    - { key: '.status.containerStatuses', operator: DoesNotExist }
  next:
    event:
      type: Warning
      reason: Failed
      message: 'Failed to pull image: toomanyrequests: You have reached your pull rate limit.'
    statusTemplate: |
      phase: Pending
      conditions:
      - { type: Initialized, status: "True" }
      - { type: Ready, status: "False", reason: ContainersNotReady }
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          waiting:
            reason: ImagePullBackOff
            message: {{ printf "Back-off pulling image %q: toomanyrequests: You have reached your pull rate limit." .image | Quote }}
      {{ end }}
`;

describe("doctor and diagnosis on a simulated cluster (kwok)", function () {
  this.timeout(180_000);
  let cluster: KwokCluster;
  let name: string;
  let work: string;
  let kubeconfig: string;

  const kubectl = async (...args: string[]) => {
    const r = await runCommand("kubectl", ["--kubeconfig", kubeconfig, ...args]);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = async (manifest: unknown) => {
    const file = path.join(work, `m-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(manifest));
    await kubectl("apply", "-f", file);
  };

  before(async () => {
    // Two nodes of 2 CPU and 4 GiB: 4 CPU and 8 GiB allocatable in all.
    cluster = await startKwokCluster({ nodes: 2, cpu: "2", memory: "4Gi", stages: STAGES });
    ({ name, workdir: work, kubeconfig } = cluster);
  });

  after(async () => {
    await cluster?.destroy();
  });

  /** A simulated plan that points at this cluster, with one agent of the given size. */
  const planFor = (cpu: string, memory: string): Plan => {
    const plan = makePlan({
      cluster: { provider: "simulated", name, nodes: 2, cpu: "2", memory: "4Gi", kubeconfigPath: kubeconfig },
    });
    return { ...plan, components: [], agents: [{ name: "rex", resources: { cpu, memory }, features: {} }] };
  };

  it("refuses a plan whose requests exceed the nodes' allocatable capacity, naming the shortfall", async () => {
    const report = await runPreflight(planFor("7500m", "14Gi"), {
      probes: realProbes({ home: work, env: { PATH: process.env.PATH } }),
    });
    const byId = (id: string) => report.checks.find((c) => c.id === id);
    assert.equal(byId("cluster.api")?.reason, "reachable, Kubernetes v1.36.1");
    assert.equal(byId("cluster.version")?.status, "ok");
    const capacity = byId("cluster.capacity");
    assert.equal(capacity?.status, "fail");
    assert.equal(capacity?.critical, true);
    assert.equal(
      capacity?.reason,
      "short by 3.5 CPU and 6 GiB: the plan requests 7.5 CPU and 14 GiB; 2 schedulable nodes have 4 CPU and 8 GiB allocatable",
    );
    assert.equal(report.ok, false);
  });

  it("accepts a plan that fits", async () => {
    const report = await runPreflight(planFor("1", "2Gi"), {
      probes: realProbes({ home: work, env: { PATH: process.env.PATH } }),
    });
    assert.equal(report.checks.find((c) => c.id === "cluster.capacity")?.status, "ok");
  });

  it("diagnoses a Deployment the scheduler cannot place: FailedScheduling event, cause and fix", async () => {
    await kubectl("create", "namespace", "stuck");
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "greedy", namespace: "stuck" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "greedy" } },
        template: {
          metadata: { labels: { app: "greedy" } },
          spec: {
            containers: [
              { name: "app", image: "registry.example/greedy:1", resources: { requests: { cpu: "3", memory: "1Gi" } } },
            ],
          },
        },
      },
    });
    const d = await eventually(
      () => diagnose(kubeconfig, { kind: "deploy", name: "greedy", namespace: "stuck" }),
      (x: Diagnosis) => x.causes.some((c) => c.id === "insufficient-resources"),
    );
    assert.equal(d.ready, false, renderDiagnosis(d));
    assert.equal(d.state, "0/1 available");
    assert.ok(
      d.events.some((e) => e.reason === "FailedScheduling" && /Insufficient cpu/.test(e.message)),
      renderDiagnosis(d),
    );
    const cause = d.causes.find((c) => c.id === "insufficient-resources");
    assert.match(cause?.title ?? "", /^No node has enough cpu for Pod\/greedy-/);
    assert.match(cause?.fix ?? "", /Add nodes or capacity/);
  });

  it("diagnoses an image pull the registry rate-limits (kwok Stage): event and mapped fix", async () => {
    await apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "puller", namespace: "stuck", labels: { "cto-e2e/simulate": "image-pull-rate-limit" } },
      spec: { containers: [{ name: "app", image: "docker.io/library/nginx:1.27" }] },
    });
    const d = await eventually(
      () => diagnose(kubeconfig, { kind: "pod", name: "puller", namespace: "stuck" }),
      (x: Diagnosis) =>
        x.causes.some((c) => c.id === "image-rate-limit") && x.events.some((e) => e.reason === "Failed"),
    );
    assert.deepEqual(
      d.causes.map((c) => c.id),
      ["image-rate-limit"],
      renderDiagnosis(d),
    );
    assert.equal(d.pods[0]?.waiting, "ImagePullBackOff (container app)");
    assert.ok(d.events.some((e) => e.type === "Warning" && e.reason === "Failed" && /toomanyrequests/.test(e.message)));
    assert.match(d.causes[0]?.fix ?? "", /registry\.username and registry\.password/);
  });

  it("the component health summary marks the stuck component and carries the diagnosis", async () => {
    await kubectl("create", "namespace", "healthy");
    await kubectl("create", "deployment", "fine", "--image=registry.example/fine:1", "-n", "healthy");
    const components: Plan["components"] = [
      { name: "fine", category: "core", required: true, dependencies: [], installOrder: 1, namespace: "healthy" },
      { name: "greedy", category: "core", required: true, dependencies: [], installOrder: 2, namespace: "stuck" },
    ];
    const h = await eventually(
      () => componentHealth(kubeconfig, { components }),
      (x) => x.components[0]?.healthy === true,
    );
    assert.equal(h.healthy, false);
    assert.deepEqual(
      h.components.map((c) => [c.name, c.healthy]),
      [
        ["fine", true],
        ["greedy", false],
      ],
    );
    assert.equal(h.components[1]?.problems[0]?.causes[0]?.id, "insufficient-resources");
  });
});
