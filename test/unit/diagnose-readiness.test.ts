import { strict as assert } from "node:assert";
import { readiness, type KubeObject } from "../../stacks/diagnose/objects.js";

const deployment = (status: Record<string, number>, generation = 2, replicas = 1): KubeObject =>
  ({
    kind: "Deployment",
    metadata: { name: "argo-workflows-server", namespace: "argo", generation },
    spec: { replicas },
    status,
  }) as unknown as KubeObject;

describe("readiness of a Deployment (as kubectl rollout status judges it)", () => {
  it("a finished rollout with every pod available is ready", () => {
    const r = readiness(
      "Deployment",
      deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2, 2),
    );
    assert.deepEqual(r, { ready: true, state: "2/2 available" });
  });

  it("a rollout whose new pod cannot start is not ready, though the old pod is still available", () => {
    const r = readiness(
      "Deployment",
      deployment({
        observedGeneration: 2,
        replicas: 2,
        updatedReplicas: 1,
        availableReplicas: 1,
        unavailableReplicas: 1,
      }),
    );
    assert.equal(r.ready, false);
    assert.match(r.state, /rollout stuck or in progress \(1 of 2 pods updated\)/);
  });

  it("a spec the controller has not observed yet is not ready", () => {
    const r = readiness(
      "Deployment",
      deployment({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
    );
    assert.equal(r.ready, false);
  });

  it("unavailable pods make it not ready", () => {
    const r = readiness(
      "Deployment",
      deployment({
        observedGeneration: 2,
        replicas: 1,
        updatedReplicas: 1,
        availableReplicas: 0,
        unavailableReplicas: 1,
      }),
    );
    assert.deepEqual(r, { ready: false, state: "0/1 available" });
  });
});
