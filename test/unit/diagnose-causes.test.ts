import { strict as assert } from "node:assert";
import { findCauses, type Signal } from "../../stacks/diagnose/causes.js";
import { classifyKubectlError, Kubectl } from "../../stacks/diagnose/kubectl.js";

const ctx = {
  namespace: "argocd",
  kubectl: (args: string[]) => new Kubectl({ kubeconfig: "/k.yaml" }).commandLine(args),
};
const ev = (object: string, reason: string, message: string): Signal => ({ object, source: "event", reason, message });
const ctr = (reason: string, message: string, extra: Partial<Signal> = {}): Signal => ({
  object: "Pod/web-1",
  source: "container",
  reason,
  message,
  container: "web",
  image: "nginx:1.27",
  ...extra,
});

/** [what Kubernetes said, expected cause id, a piece of the expected fix] */
const TABLE: [Signal, string, RegExp][] = [
  [
    ev(
      "Pod/web-1",
      "Failed",
      'Failed to pull image "nginx:1.27": toomanyrequests: You have reached your pull rate limit.',
    ),
    "image-rate-limit",
    /registry\.username and registry\.password/,
  ],
  [ctr("ImagePullBackOff", 'Back-off pulling image "nginx:1.27": 429 Too Many Requests'), "image-rate-limit", /mirror/],
  [
    ev(
      "Pod/web-1",
      "Failed",
      'Failed to pull image "acme/x:9.9": rpc error: code = NotFound desc = failed to pull and unpack image: manifest unknown',
    ),
    "image-not-found",
    /image name and tag/,
  ],
  [
    ev("Pod/web-1", "Failed", 'Failed to pull image "ghcr.io/acme/x:1": failed to authorize: 401 Unauthorized'),
    "image-unauthorized",
    /image pull secret/,
  ],
  [
    ev(
      "Pod/web-1",
      "Failed",
      'Failed to pull image "r.acme.example/x:1": dial tcp: lookup r.acme.example: no such host',
    ),
    "image-registry-unreachable",
    /DNS, proxy and firewall/,
  ],
  [
    ctr("InvalidImageName", 'couldn\'t parse image reference "Nginx::"'),
    "image-pull",
    /kubectl --kubeconfig \/k\.yaml describe pod web-1 -n argocd/,
  ],
  [
    ev(
      "Pod/web-1",
      "FailedScheduling",
      "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory. preemption: 0/2 nodes are available",
    ),
    "insufficient-resources",
    /cto doctor/,
  ],
  [
    ev(
      "Pod/web-1",
      "FailedScheduling",
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.",
    ),
    "host-port-conflict",
    /ss -ltnp/,
  ],
  [
    ev(
      "Pod/db-0",
      "FailedScheduling",
      "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: not eligible",
    ),
    "unbound-volume-claim",
    /is-default-class/,
  ],
  [
    ev(
      "PersistentVolumeClaim/data",
      "FailedBinding",
      "no persistent volumes available for this claim and no storage class is set",
    ),
    "unbound-volume-claim",
    /local-path/,
  ],
  [
    ev(
      "Pod/web-1",
      "FailedScheduling",
      "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
    ),
    "node-taint",
    /Taints/,
  ],
  [
    ev(
      "Pod/web-1",
      "FailedScheduling",
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    ),
    "node-selector",
    /--show-labels/,
  ],
  [ctr("OOMKilled", "exited with code 137", { exitCode: 137 }), "oom-killed", /memory limit/],
  [
    ctr("CrashLoopBackOff", "back-off 5m0s restarting failed container=web pod=web-1"),
    "crash-loop",
    /logs web-1 -c web --previous -n argocd/,
  ],
  [
    ctr("CreateContainerConfigError", 'secret "github-app-rex" not found'),
    "missing-config",
    /get secret github-app-rex -n argocd/,
  ],
  [
    ev(
      "ReplicaSet/web-5d9",
      "FailedCreate",
      'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: policy require-labels: label team is required',
    ),
    "webhook-denied",
    /exempt the platform's namespaces/,
  ],
  [
    ev(
      "Deployment/web",
      "Failed",
      'Internal error occurred: failed calling webhook "webhook.cert-manager.io": Post "https://cert-manager-webhook.cert-manager.svc:443/mutate": no endpoints available',
    ),
    "webhook-unavailable",
    /grep webhook/,
  ],
  [
    ev(
      "ReplicaSet/web-5d9",
      "FailedCreate",
      'pods "web-5d9-x" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=9, limited: cpu=10',
    ),
    "quota-exceeded",
    /resourcequota -n argocd/,
  ],
  [
    ev(
      "ReplicaSet/web-5d9",
      "FailedCreate",
      'pods "web-5d9-x" is forbidden: violates PodSecurity "restricted:latest": privileged',
    ),
    "pod-security",
    /pod-security\.kubernetes\.io\/enforce=baseline/,
  ],
  [
    ev(
      "Service/web",
      "Failed",
      'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    ),
    "port-allocated",
    /nodePort/,
  ],
  [
    {
      object: "Job/migrate",
      source: "condition",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    },
    "job-failed",
    /logs job\/migrate/,
  ],
  [
    {
      object: "Application/controller",
      source: "condition",
      reason: "ComparisonError",
      message: "rpc error: repository not found",
    },
    "argocd-sync-error",
    /get application controller -n argocd -o yaml/,
  ],
  [
    {
      object: "Application/controller",
      source: "status",
      reason: "Degraded",
      message: "Deployment controller has 0 ready",
    },
    "argocd-unhealthy",
    /status\.resources/,
  ],
  [
    {
      object: "CustomResourceDefinition/workflows.argoproj.io",
      source: "condition",
      reason: "Established",
      message: "not yet",
    },
    "crd-not-established",
    /get crd workflows\.argoproj\.io/,
  ],
];

describe("diagnose: causes table", () => {
  for (const [signal, id, fix] of TABLE) {
    it(`${signal.reason}: ${signal.message.slice(0, 60)} → ${id}`, () => {
      const [cause, ...more] = findCauses([signal], ctx);
      assert.equal(more.length, 0);
      assert.equal(cause?.id, id);
      assert.match(cause?.fix ?? "", fix);
      assert.equal(cause?.object, signal.object);
      assert.ok((cause?.evidence ?? "").includes(signal.message.slice(0, 40)));
    });
  }

  it("names insufficient cpu and memory in the title", () => {
    const [c] = findCauses([TABLE[6]?.[0] as Signal], ctx);
    assert.equal(c?.title, "No node has enough cpu and memory for Pod/web-1");
  });

  it("counts several objects with the same cause once", () => {
    const msg = "0/1 nodes are available: 1 Insufficient cpu.";
    const causes = findCauses(
      [
        ev("Pod/a", "FailedScheduling", msg),
        ev("Pod/b", "FailedScheduling", msg),
        ev("Pod/a", "FailedScheduling", msg),
      ],
      ctx,
    );
    assert.equal(causes.length, 1);
    assert.equal(causes[0]?.occurrences, 2);
  });

  it("ignores signals it has no rule for", () => {
    assert.deepEqual(findCauses([ev("Pod/a", "Pulled", "Successfully pulled image")], ctx), []);
  });

  it("classifies kubectl failures", () => {
    assert.equal(
      classifyKubectlError('Error from server (NotFound): deployments.apps "x" not found', false).kind,
      "not-found",
    );
    assert.equal(
      classifyKubectlError(
        "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?",
        false,
      ).kind,
      "unreachable",
    );
    assert.equal(classifyKubectlError('error: context "prod" does not exist', false).kind, "context-missing");
    assert.equal(
      classifyKubectlError("error: context was not found for specified context: prod", false).kind,
      "context-missing",
    );
    assert.equal(
      classifyKubectlError("error: You must be logged in to the server (Unauthorized)", false).kind,
      "unauthorized",
    );
    assert.equal(
      classifyKubectlError('Error from server (Forbidden): nodes is forbidden: User "dev" cannot list', false).kind,
      "forbidden",
    );
    assert.equal(
      classifyKubectlError("Unable to connect to the server: x509: certificate signed by unknown authority", false)
        .kind,
      "certificate",
    );
    assert.equal(classifyKubectlError("", true).kind, "timeout");
  });
});
