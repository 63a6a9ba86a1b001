import { strict as assert } from "node:assert";
import { platformCrdNames } from "../../stacks/crds.js";
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
