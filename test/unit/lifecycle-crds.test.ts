import { strict as assert } from "node:assert";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeDestroy, finishInterruptedCrdCleanup, planCrdLedger } from "../../stacks/crd-cleanup.js";
import { writeCrdLedger } from "../../stacks/crd-ledger.js";
import { cleansCrds, parseCrdListing, platformCrdNames, recordedCrdNames } from "../../stacks/crds.js";
import { clusterKubeconfig } from "../../stacks/kube-target.js";
import { acmePlan } from "../golden/acme-plans.js";

const crd = (name: string, release?: string, namespace?: string) => ({
  metadata: {
    name,
    annotations: release
      ? { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace ?? "" }
      : undefined,
  },
});

describe("stacks/crds: the CRDs cto destroy removes", function () {
  it("takes the CRDs of the plan's releases (name and namespace), never other software's", function () {
    const plan = acmePlan("minimal");
    const argocd = plan.components.find((c) => c.name === "argo-cd");
    assert.ok(argocd, "the minimal plan has argo-cd");
    const list = {
      items: [
        crd("applications.argoproj.io", "argo-cd", argocd.namespace),
        crd("appprojects.argoproj.io", "argo-cd", argocd.namespace),
        // the same release name in another namespace is someone else's Argo CD
        crd("rollouts.argoproj.io", "argo-cd", "other-team"),
        // installed by hand or by another tool
        crd("certificates.cert-manager.io"),
        crd("widgets.example.com", "widgets", "default"),
      ],
    };
    assert.deepEqual(platformCrdNames(list, plan), ["applications.argoproj.io", "appprojects.argoproj.io"]);
    assert.deepEqual(platformCrdNames(list, { components: [] }), []);
  });

  it("reads the CRD listing: name, creation time and the Helm release annotations when present", function () {
    const listing =
      "gadgets.example.com\t2026-11-25T19:38:10Z\t\t\n" +
      "widgets.example.com\t2026-11-25T19:38:11Z\targo-cd\targocd\n" +
      "\n";
    assert.deepEqual(parseCrdListing(listing), {
      items: [
        {
          metadata: { name: "gadgets.example.com", creationTimestamp: "2026-11-25T19:38:10Z", annotations: undefined },
        },
        {
          metadata: {
            name: "widgets.example.com",
            creationTimestamp: "2026-11-25T19:38:11Z",
            annotations: { "meta.helm.sh/release-name": "argo-cd", "meta.helm.sh/release-namespace": "argocd" },
          },
        },
      ],
    });
    assert.deepEqual(parseCrdListing(""), { items: [] });
  });

  it("takes the recorded crds/ CRDs the release created, and names those that existed before it", function () {
    const at = (name: string, creationTimestamp: string) => ({ metadata: { name, creationTimestamp } });
    const recorded = [
      {
        release: "monitoring/monitoring",
        firstDeployed: "2026-11-25T18:10:00.4Z",
        crds: ["prometheuses.monitoring.coreos.com", "probes.monitoring.coreos.com", "absent.monitoring.coreos.com"],
      },
      { release: "velero/backup", firstDeployed: "2026-11-25T18:12:00Z", crds: ["backups.velero.io"] },
    ];
    const list = {
      items: [
        at("probes.monitoring.coreos.com", "2026-11-25T18:09:59Z"),
        // created by someone else an hour before the release's install: Helm skipped it
        at("prometheuses.monitoring.coreos.com", "2026-11-25T17:10:00Z"),
        at("backups.velero.io", "2026-11-25T18:12:00Z"),
        at("widgets.example.com", "2026-11-25T18:10:00Z"),
      ],
    };
    assert.deepEqual(recordedCrdNames(list, recorded), {
      created: ["backups.velero.io", "probes.monitoring.coreos.com"],
      preexisting: ["prometheuses.monitoring.coreos.com"],
    });
    assert.deepEqual(recordedCrdNames(list, []), { created: [], preexisting: [] });
  });

  it("cleans up only on a cluster cto did not create: the others are deleted whole", async function () {
    const plan = acmePlan("minimal");
    assert.equal(cleansCrds({ cluster: { provider: "existing", name: "c" } }), true);
    const simulated = {
      ...plan,
      cluster: { provider: "simulated" as const, name: "s", nodes: 1, cpu: "4", memory: "8Gi", kubeconfigPath: "~/k" },
    };
    assert.equal(cleansCrds(simulated), false);
    const home = await mkdtemp(path.join(os.tmpdir(), "cto-crds-"));
    try {
      const ledger = planCrdLedger(simulated, home);
      assert.equal(ledger, path.join(home, "run", "crds", plan.platform.name, `${plan.environment}.json`));
      // No kubectl is run and nothing is recorded; a record found there is not acted on.
      assert.deepEqual(await beforeDestroy(simulated, {}, ledger, () => assert.fail("nothing to note")), []);
      await assert.rejects(stat(ledger), { code: "ENOENT" });
      await writeCrdLedger(ledger, [{ release: "m/m", firstDeployed: "2026-11-25T18:00:00Z", crds: ["a.x"] }]);
      assert.equal(await finishInterruptedCrdCleanup(simulated, {}, ledger, false), undefined);
      assert.ok((await stat(ledger)).isFile());
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("reaches the cluster through the plan's kubeconfig", function () {
    const plan = acmePlan("minimal");
    const existing = { ...plan, cluster: { provider: "existing" as const, name: "c", context: "ctx" } };
    assert.deepEqual(clusterKubeconfig(existing, { HOME: "/h", KUBECONFIG: "/k/a:/k/b" }), {
      kubeconfig: "/k/a",
      context: "ctx",
    });
    assert.deepEqual(clusterKubeconfig({ ...existing, cluster: { provider: "existing", name: "c" } }, { HOME: "/h" }), {
      kubeconfig: "/h/.kube/config",
    });
    const simulated = {
      ...plan,
      cluster: { provider: "simulated" as const, name: "s", nodes: 1, cpu: "4", memory: "8Gi", kubeconfigPath: "~/k" },
    };
    assert.deepEqual(clusterKubeconfig(simulated, { HOME: "/h" }), { kubeconfig: "/h/k" });
  });
});
