import { strict as assert } from "node:assert";
import {
  createdByProviderApply,
  pendingObjectArgs,
  pendingObjects,
  pendingReleases,
  refreshArgs,
  releaseRecordsDeleteArgs,
  type PendingOperation,
} from "../../stacks/pending.js";

const op = (type: string, resourceType: string, inputs?: Record<string, unknown>): PendingOperation => ({
  type,
  resource: { urn: `urn:pulumi:dev::acme::${resourceType}::r`, type: resourceType, custom: true, inputs },
});

describe("stacks/pending: settling what a killed run left pending", function () {
  const helmCreate = op("creating", "kubernetes:helm.sh/v3:Release", { name: "argo-cd", namespace: "argocd" });
  const helmUpdate = op("updating", "kubernetes:helm.sh/v3:Release", { name: "controller", namespace: "cto" });
  const namespaceCreate = op("creating", "kubernetes:core/v1:Namespace", { metadata: { name: "argocd" } });
  const providerCreate = op("creating", "pulumi:providers:pulumi-nodejs", {});

  it("finds the Helm releases being created or updated, once each, and which were being created", function () {
    assert.deepEqual(
      pendingReleases([helmCreate, helmUpdate, helmCreate, namespaceCreate, providerCreate]).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
      [
        { namespace: "argocd", name: "argo-cd", created: true },
        { namespace: "cto", name: "controller", created: false },
      ],
    );
    // a name that is still unknown (an Output) is not a string: nothing can be named
    assert.deepEqual(
      pendingReleases([op("creating", "kubernetes:helm.sh/v3:Release", { name: {}, namespace: "x" })]),
      [],
    );
  });

  it("removes every record of a release whose creation was interrupted, only pending ones after an update", function () {
    assert.deepEqual(releaseRecordsDeleteArgs({ namespace: "argocd", name: "argo-cd", created: true }), [
      ...["delete", "secret", "--namespace", "argocd", "--ignore-not-found"],
      ...["-l", "owner=helm,name=argo-cd"],
    ]);
    assert.deepEqual(releaseRecordsDeleteArgs({ namespace: "cto", name: "controller", created: false }), [
      ...["delete", "secret", "--namespace", "cto", "--ignore-not-found"],
      ...["-l", "owner=helm,name=controller,status in (pending-install,pending-upgrade,pending-rollback)"],
    ]);
  });

  it("clears pending creates with the refresh; an interrupted update needs the refresh alone", function () {
    assert.deepEqual(refreshArgs("dev", [helmCreate, providerCreate, helmUpdate]), [
      ...["refresh", "--yes", "--skip-preview", "--stack", "dev", "--clear-pending-creates"],
    ]);
    assert.deepEqual(refreshArgs("dev", [helmUpdate]), ["refresh", "--yes", "--skip-preview", "--stack", "dev"]);
  });

  it("names the plain Kubernetes objects being created, never Helm releases, patches, namespaces or CRDs", function () {
    const deployment = op("creating", "kubernetes:apps/v1:Deployment", {
      metadata: { name: "cto-controller", namespace: "cto" },
    });
    const service = op("creating", "kubernetes:core/v1:Service", {
      metadata: { name: "cto-controller", namespace: "cto" },
    });
    const sensor = op("creating", "kubernetes:argoproj.io/v1alpha1:Sensor", {
      metadata: { name: "github", namespace: "cto" },
    });
    const role = op("creating", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name: "cto" } });
    const skipped = [
      helmCreate,
      namespaceCreate,
      providerCreate,
      op("creating", "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", {
        metadata: { name: "x.cto.dev" },
      }),
      op("creating", "kubernetes:storage.k8s.io/v1:StorageClassPatch", { metadata: { name: "local-path" } }),
      op("updating", "kubernetes:apps/v1:Deployment", { metadata: { name: "u", namespace: "cto" } }),
      op("creating", "kubernetes:apps/v1:Deployment", { metadata: { name: {}, namespace: "cto" } }),
    ];
    assert.deepEqual(pendingObjects([deployment, ...skipped, service, sensor, role]), [
      { resource: "Deployment.v1.apps", kind: "Deployment", name: "cto-controller", namespace: "cto" },
      { resource: "Service", kind: "Service", name: "cto-controller", namespace: "cto" },
      { resource: "Sensor.v1alpha1.argoproj.io", kind: "Sensor", name: "github", namespace: "cto" },
      { resource: "ClusterRole.v1.rbac.authorization.k8s.io", kind: "ClusterRole", name: "cto" },
    ]);
    const [d, , , r] = pendingObjects([deployment, service, sensor, role]);
    assert.deepEqual(pendingObjectArgs("get", d!), [
      ...["get", "Deployment.v1.apps", "cto-controller", "--namespace", "cto"],
      ...["--ignore-not-found", "--show-managed-fields", "-o", "json"],
    ]);
    assert.deepEqual(pendingObjectArgs("delete", r!), [
      ...["delete", "ClusterRole.v1.rbac.authorization.k8s.io", "cto"],
      ...["--ignore-not-found", "--wait=true", "--timeout=25s"],
    ]);
  });

  it("tells an object the provider's apply created from one it adopted or that is going away", function () {
    const at = "2026-12-02T15:24:05Z";
    const entry = (manager: string, time: string, extra: Record<string, string> = {}) => ({
      manager,
      operation: "Apply",
      time,
      ...extra,
    });
    const created = { metadata: { creationTimestamp: at, managedFields: [entry("pulumi-kubernetes-2a6b7b39", at)] } };
    assert.equal(createdByProviderApply(created), true);
    // the two stamps may straddle a second boundary
    assert.equal(
      createdByProviderApply({
        metadata: { creationTimestamp: at, managedFields: [entry("pulumi-kubernetes-1", "2026-12-02T15:24:06Z")] },
      }),
      true,
    );
    const adopted = {
      metadata: { creationTimestamp: "2026-12-01T09:00:00Z", managedFields: [entry("pulumi-kubernetes-2a6b7b39", at)] },
    };
    assert.equal(createdByProviderApply(adopted), false);
    assert.equal(
      createdByProviderApply({ metadata: { creationTimestamp: at, managedFields: [entry("kubectl", at)] } }),
      false,
    );
    assert.equal(
      createdByProviderApply({
        metadata: {
          creationTimestamp: at,
          managedFields: [{ ...entry("pulumi-kubernetes-1", at), operation: "Update" }],
        },
      }),
      false,
    );
    assert.equal(
      createdByProviderApply({
        metadata: {
          creationTimestamp: at,
          managedFields: [entry("pulumi-kubernetes-1", at, { subresource: "status" })],
        },
      }),
      false,
    );
    assert.equal(createdByProviderApply({ metadata: { ...created.metadata, deletionTimestamp: at } }), false);
    assert.equal(createdByProviderApply({}), false);
  });
});
