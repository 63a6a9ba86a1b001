import { strict as assert } from "node:assert";
import { diagnose, resolveKind } from "../../stacks/diagnose/diagnose.js";
import { renderDiagnosis } from "../../stacks/diagnose/format.js";
import type { CommandResult, CommandRunner } from "../../stacks/diagnose/run.js";

/** A fake cluster: kubectl argument strings (after the global flags) → JSON or text. */
function fakeKubectl(responses: Record<string, unknown>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = async (_cmd: string, args: string[]): Promise<CommandResult> => {
    const rest = args.slice(args.findIndex((a) => a.startsWith("--request-timeout")) + 1).join(" ");
    calls.push(rest);
    const r = responses[rest];
    if (r === undefined)
      return {
        found: true,
        code: 1,
        stdout: "",
        stderr: `Error from server (NotFound): "${rest}" not found`,
        timedOut: false,
      };
    return { found: true, code: 0, stdout: typeof r === "string" ? r : JSON.stringify(r), stderr: "", timedOut: false };
  };
  return Object.assign(run, { calls });
}

const deployment = {
  kind: "Deployment",
  metadata: { name: "argocd-server", namespace: "argocd" },
  spec: { replicas: 1, selector: { matchLabels: { "app.kubernetes.io/name": "argocd-server" } } },
  status: {
    replicas: 1,
    updatedReplicas: 1,
    unavailableReplicas: 1,
    conditions: [
      {
        type: "Available",
        status: "False",
        reason: "MinimumReplicasUnavailable",
        message: "Deployment does not have minimum availability.",
      },
      { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" },
    ],
  },
};
const pendingPod = {
  metadata: { name: "argocd-server-7d9-abc", namespace: "argocd" },
  spec: { volumes: [] },
  status: {
    phase: "Pending",
    conditions: [
      {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message: "0/1 nodes are available: 1 Insufficient cpu.",
      },
    ],
  },
};
const events = (items: unknown[]) => ({ items });
const ev = (
  kind: string,
  name: string,
  type: string,
  reason: string,
  message: string,
  time: string,
  extra: Record<string, unknown> = {},
) => ({
  involvedObject: { kind, name, namespace: "argocd" },
  type,
  reason,
  message,
  lastTimestamp: time,
  count: 1,
  ...extra,
});

describe("diagnose: a stuck object through kubectl", () => {
  it("knows kubectl's kind names", () => {
    assert.deepEqual(resolveKind("deploy"), { resource: "deployments.apps", kind: "Deployment" });
    assert.deepEqual(resolveKind("PVC"), { resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim" });
    assert.deepEqual(resolveKind("app"), { resource: "applications.argoproj.io", kind: "Application" });
    assert.deepEqual(resolveKind("widgets.acme.io"), { resource: "widgets.acme.io", kind: "widgets.acme.io" });
  });

  it("a Deployment whose pod cannot be scheduled: conditions, latest events first, cause and fix", async () => {
    const run = fakeKubectl({
      "get deployments.apps argocd-server -n argocd -o json": deployment,
      "get pods -n argocd -l app.kubernetes.io/name=argocd-server -o json": { items: [pendingPod] },
      "get events -n argocd -o json": events([
        ev(
          "ReplicaSet",
          "argocd-server-7d9",
          "Normal",
          "SuccessfulCreate",
          "Created pod: argocd-server-7d9-abc",
          "2026-01-01T10:00:00Z",
        ),
        // scheduler events carry eventTime/series instead of lastTimestamp
        {
          ...ev(
            "Pod",
            "argocd-server-7d9-abc",
            "Warning",
            "FailedScheduling",
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available",
            "",
          ),
          lastTimestamp: null,
          eventTime: "2026-01-01T10:00:05.123Z",
          count: undefined,
          series: { count: 4, lastObservedTime: "2026-01-01T10:03:00Z" },
        },
        ev("Pod", "unrelated-pod", "Warning", "BackOff", "something else", "2026-01-01T11:00:00Z"),
      ]),
    });
    const d = await diagnose("/k.yaml", { kind: "deployment", name: "argocd-server", namespace: "argocd" }, { run });
    assert.equal(d.found, true);
    assert.equal(d.ready, false);
    assert.equal(d.state, "0/1 available");
    assert.deepEqual(d.pods, [{ name: "argocd-server-7d9-abc", phase: "Pending", ready: false, restarts: 0 }]);
    assert.deepEqual(
      d.events.map((e) => [e.reason, e.count, e.lastSeen]),
      [
        ["FailedScheduling", 4, "2026-01-01T10:03:00Z"],
        ["SuccessfulCreate", 1, "2026-01-01T10:00:00Z"],
      ],
    );
    assert.equal(d.causes.length, 1);
    assert.equal(d.causes[0]?.id, "insufficient-resources");
    assert.equal(d.causes[0]?.object, "Pod/argocd-server-7d9-abc");
    const text = renderDiagnosis(d);
    assert.match(text, /^Deployment argocd\/argocd-server: 0\/1 available$/m);
    assert.match(text, /Available=False MinimumReplicasUnavailable: Deployment does not have minimum availability\./);
    assert.match(
      text,
      /Warning FailedScheduling Pod\/argocd-server-7d9-abc \(×4\) 2026-01-01T10:03:00Z: 0\/1 nodes are available: 1 Insufficient cpu\./,
    );
    assert.match(text, /cause: No node has enough cpu for Pod\/argocd-server-7d9-abc/);
    assert.match(text, /fix: Add nodes or capacity/);
    assert.doesNotMatch(text, /unrelated-pod/);
    assert.ok(
      run.calls.every((c) => !c.includes("logs")),
      "no logs for a pod that never ran",
    );
  });

  it("a crash-looping container: exit code, cause, and its last log lines from the previous run", async () => {
    const pod = {
      metadata: { name: "controller-0", namespace: "cto" },
      spec: {},
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [
          {
            name: "controller",
            image: "registry.acme.example/controller:0.1.0",
            restartCount: 5,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 2m40s restarting failed container" } },
            lastState: { terminated: { reason: "Error", exitCode: 2 } },
          },
        ],
      },
    };
    const run = fakeKubectl({
      "get pods controller-0 -n cto -o json": pod,
      "get events -n cto -o json": events([]),
      "logs controller-0 -c controller -n cto --tail=20 --previous": "starting\nerror: GITHUB_APP_ID is not set\n",
    });
    const d = await diagnose(
      { kubeconfig: "/k.yaml", context: "c1" },
      { kind: "Pod", name: "controller-0", namespace: "cto" },
      { run },
    );
    assert.deepEqual(
      d.causes.map((c) => c.id),
      ["crash-loop"],
    );
    assert.deepEqual(d.logs, [
      {
        pod: "controller-0",
        container: "controller",
        previous: true,
        lines: ["starting", "error: GITHUB_APP_ID is not set"],
      },
    ]);
    assert.match(
      d.causes[0]?.fix ?? "",
      /^Read its last log lines below; all of them: kubectl --kubeconfig \/k\.yaml --context c1 logs controller-0 -c controller --previous -n cto$/,
    );
    assert.match(
      renderDiagnosis(d),
      /last log lines of controller-0\/controller \(previous run\):\n {4}\| starting\n {4}\| error: GITHUB_APP_ID is not set/,
    );
  });

  it("a pod waiting for an unbound claim: reads the claim and names the missing storage class", async () => {
    const pod = {
      metadata: { name: "pg-1", namespace: "databases" },
      spec: { volumes: [{ persistentVolumeClaim: { claimName: "pg-1" } }] },
      status: { phase: "Pending" },
    };
    const run = fakeKubectl({
      "get pods pg-1 -n databases -o json": pod,
      "get pvc pg-1 -n databases -o json": { metadata: { name: "pg-1" }, spec: {}, status: { phase: "Pending" } },
      "get events -n databases -o json": events([
        {
          ...ev(
            "PersistentVolumeClaim",
            "pg-1",
            "Normal",
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
            "2026-01-01T10:00:00Z",
          ),
          involvedObject: { kind: "PersistentVolumeClaim", name: "pg-1", namespace: "databases" },
        },
      ]),
    });
    const d = await diagnose("/k.yaml", { kind: "pod", name: "pg-1", namespace: "databases" }, { run });
    assert.deepEqual(
      d.causes.map((c) => [c.id, c.object]),
      [["unbound-volume-claim", "PersistentVolumeClaim/pg-1"]],
    );
    assert.match(d.causes[0]?.evidence ?? "", /names no StorageClass/);
    assert.equal(d.events[0]?.reason, "FailedBinding");
  });

  it("an admission denial on a Deployment's ReplicaSet is found through the ReplicaSet's events", async () => {
    const run = fakeKubectl({
      "get deployments.apps argocd-server -n argocd -o json": {
        ...deployment,
        status: {
          conditions: [
            {
              type: "ReplicaFailure",
              status: "True",
              reason: "FailedCreate",
              message: 'admission webhook "validate.kyverno.svc-fail" denied the request: label team is required',
            },
          ],
        },
      },
      "get pods -n argocd -l app.kubernetes.io/name=argocd-server -o json": { items: [] },
      "get events -n argocd -o json": events([
        ev(
          "ReplicaSet",
          "argocd-server-7d9",
          "Warning",
          "FailedCreate",
          'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: label team is required',
          "2026-01-01T10:00:00Z",
        ),
      ]),
    });
    const d = await diagnose("/k.yaml", { kind: "Deployment", name: "argocd-server", namespace: "argocd" }, { run });
    assert.deepEqual(
      d.causes.map((c) => c.id),
      ["webhook-denied"],
    );
    assert.match(
      d.causes[0]?.title ?? "",
      /validate\.kyverno\.svc-fail refused Deployment\/argocd-server: label team is required/,
    );
  });

  it("an Argo CD Application out of sync with a comparison error", async () => {
    const app = {
      metadata: { name: "controller", namespace: "argocd" },
      spec: {},
      status: {
        sync: { status: "OutOfSync" },
        health: { status: "Missing" },
        conditions: [{ type: "ComparisonError", message: "repository not found" }],
      },
    };
    const run = fakeKubectl({
      "get applications.argoproj.io controller -n argocd -o json": app,
      "get events -n argocd -o json": events([]),
    });
    const d = await diagnose("/k.yaml", { kind: "Application", name: "controller", namespace: "argocd" }, { run });
    assert.equal(d.state, "OutOfSync/Missing");
    assert.deepEqual(
      d.causes.map((c) => c.id),
      ["argocd-sync-error", "argocd-unhealthy"],
    );
  });

  it("not found, unknown cause, and unreadable events are reported, not thrown", async () => {
    const missing = await diagnose(
      "/k.yaml",
      { kind: "Deployment", name: "nope", namespace: "x" },
      { run: fakeKubectl({}) },
    );
    assert.deepEqual([missing.found, missing.state, missing.errors], [false, "not found", []]);
    const run = fakeKubectl({
      "get deployments.apps web -n x -o json": {
        ...deployment,
        metadata: { name: "web", namespace: "x" },
        spec: { replicas: 2 },
        status: { availableReplicas: 1 },
      },
    });
    const d = await diagnose("/k.yaml", { kind: "Deployment", name: "web", namespace: "x" }, { run });
    assert.equal(d.causes[0]?.id, "unknown");
    assert.match(d.causes[0]?.fix ?? "", /kubectl --kubeconfig \/k\.yaml describe deployments\.apps web -n x/);
    assert.equal(d.errors.length, 1);
    assert.match(d.errors[0] ?? "", /^events: /);
  });

  it("a ready object has no causes", async () => {
    const run = fakeKubectl({
      "get deployments.apps web -n x -o json": {
        ...deployment,
        spec: { replicas: 1 },
        status: { availableReplicas: 1, updatedReplicas: 1 },
      },
      "get events -n x -o json": events([]),
    });
    const d = await diagnose("/k.yaml", { kind: "Deployment", name: "web", namespace: "x" }, { run });
    assert.deepEqual([d.ready, d.causes], [true, []]);
  });
});
