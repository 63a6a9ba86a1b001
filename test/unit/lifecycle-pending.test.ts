import { strict as assert } from "node:assert";
import { pendingReleases, refreshArgs, releaseRecordsDeleteArgs, type PendingOperation } from "../../stacks/pending.js";

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
});
