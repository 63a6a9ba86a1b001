import assert from "node:assert/strict";
import { buildPlatform } from "../../stacks/program.js";
import { acmePlan } from "../golden/acme-plans.js";
import { find, isSecretAt, recordResources, settle, type RecordedResource } from "./harness.js";

const SECRETS = {
  "github.webhook_secret": "acme-webhook-secret-0123456789",
  "registry.password": "acme-registry-password",
  "github.apps.rex.private_key": "-----BEGIN RSA PRIVATE KEY-----\nrex\n-----END RSA PRIVATE KEY-----",
};

async function build(
  profile: "minimal" | "standard" | "production",
  edit: (plan: ReturnType<typeof acmePlan>) => void = () => undefined,
): Promise<RecordedResource[]> {
  const recorded = await recordResources();
  const plan = structuredClone(acmePlan(profile)); // the golden plans are shared: never edit them
  edit(plan);
  buildPlatform(plan, SECRETS, { randomStore: { "installation-id": "abcdefabcdef" } });
  await settle();
  return recorded;
}

const line = (r: RecordedResource) => `${r.type} ${r.name} <${r.parent}> [${r.provider}]`;

describe("buildPlatform (minimal profile, mocks)", function () {
  this.timeout(60_000);

  it("creates the cluster provider, the namespaces and the Argo stack", async () => {
    const recorded = await build("minimal");
    const lines = recorded.map(line);
    for (const expected of [
      "cto:cluster:Cluster cluster <> []",
      "pulumi:providers:kubernetes cluster-provider <cluster> []",
      "cto:platform:PlatformBase base <> []",
      "kubernetes:core/v1:Namespace base-ns-argo <base> [cluster-provider]",
      "kubernetes:core/v1:Namespace base-ns-argocd <base> [cluster-provider]",
      "kubernetes:core/v1:Namespace base-ns-cto <base> [cluster-provider]",
      "cto:argo:ArgoStack argo <> []",
      "pulumi-nodejs:dynamic/cto:GeneratedSecret argo-argocd-admin-password <argo> []",
      "kubernetes:helm.sh/v3:Release argo-argo-cd <argo> [cluster-provider]",
      "kubernetes:helm.sh/v3:Release argo-argo-workflows <argo> [cluster-provider]",
      "kubernetes:helm.sh/v3:Release argo-argo-events <argo> [cluster-provider]",
    ]) {
      assert.ok(lines.includes(expected), `missing: ${expected}\nhave:\n${lines.sort().join("\n")}`);
    }

    const argocd = find(recorded, "kubernetes:helm.sh/v3:Release", "argo-argo-cd");
    assert.equal(argocd.inputs.chart, "argo-cd");
    assert.equal(argocd.inputs.version, "7.8.0");
    assert.deepEqual(argocd.inputs.repositoryOpts, { repo: "https://argoproj.github.io/argo-helm" });
    assert.equal(argocd.inputs.namespace, "argocd");
    assert.ok(argocd.dependsOn.includes("base-ns-argocd"), "argo-cd waits for its namespace");
    assert.ok(isSecretAt(argocd.raw, "values"), "values carrying the admin password hash are secret");

    // The profiles give Workflows and Events no dependency on Argo CD: the three install in parallel.
    for (const name of ["argo-argo-workflows", "argo-argo-events"]) {
      const release = find(recorded, "kubernetes:helm.sh/v3:Release", name);
      assert.deepEqual(release.dependsOn, ["base-ns-argo"], `${name} waits for its namespace only`);
    }
  });

  it("a plan dependency between Argo components orders their releases", async () => {
    const recorded = await build("minimal", (plan) => {
      plan.components.find((c) => c.name === "argo-events")!.dependencies = ["argo-cd"];
    });
    const events = find(recorded, "kubernetes:helm.sh/v3:Release", "argo-argo-events");
    assert.deepEqual(events.dependsOn, ["argo-argo-cd", "base-ns-argo"]);
  });
});
