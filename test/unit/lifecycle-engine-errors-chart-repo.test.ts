import assert from "node:assert/strict";
import { explainEngineError } from "../../stacks/engine-errors.js";
import { acmePlan } from "../golden/acme-plans.js";

describe("engine error table: an unreachable chart repository", () => {
  it("names the repository and the component, not the Kubernetes cluster", () => {
    const text =
      "error: kubernetes:helm.sh/v3:Release resource 'argo-argo-cd': property chart value {argo-cd} has a problem: " +
      'looks like "http://127.0.0.1:32845" is not a valid chart repository or cannot be reached: ' +
      'Get "http://127.0.0.1:32845/index.yaml": dial tcp 127.0.0.1:32845: connect: connection refused; ' +
      "check the chart name and repository configuration.";
    const e = explainEngineError(text, { environment: "dev", plan: acmePlan("minimal") });
    assert.equal(e?.kind, "chart-repo-unreachable");
    assert.equal(
      e.message,
      "component argo-cd: the chart repository http://127.0.0.1:32845 cannot be reached (chart argo-cd)",
    );
    assert.match(e.fix, /http:\/\/127\.0\.0\.1:32845\/index\.yaml/);
    assert.match(e.fix, /charts\.argo-cd\.repository/);
    assert.match(e.fix, /cto up --env dev/);
  });

  it("a refused connection to the API server is still the cluster", () => {
    const e = explainEngineError(
      'Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused',
    );
    assert.equal(e?.kind, "cluster-unreachable");
  });
});
