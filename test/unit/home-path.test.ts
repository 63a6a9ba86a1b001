/** The one `~` expansion (stacks/home-path.ts) and the kubeconfig choice built on it (stacks/kube-target.ts). */
import { strict as assert } from "node:assert";
import { expandHome } from "../../stacks/home-path.js";
import { clusterKubeconfig } from "../../stacks/kube-target.js";
import type { Plan } from "../../profiles/plan.js";

describe("expandHome", () => {
  it("expands ~ and ~/x, leaves everything else", () => {
    assert.equal(expandHome("~", "/home/u"), "/home/u");
    assert.equal(expandHome("~/.kube/config", "/home/u"), "/home/u/.kube/config");
    assert.equal(expandHome("~other/x", "/home/u"), "~other/x");
    assert.equal(expandHome("/abs/~/x", "/home/u"), "/abs/~/x");
    assert.equal(expandHome("rel/x", "/home/u"), "rel/x");
  });
});

describe("clusterKubeconfig", () => {
  const existing = (extra: Record<string, unknown> = {}) =>
    ({ cluster: { provider: "existing", ...extra } }) as unknown as Plan;

  it("an existing cluster: cto.yaml's file and context, with ~ expanded against the given home", () => {
    assert.deepEqual(clusterKubeconfig(existing({ kubeconfig: "~/k.yaml", context: "ctx" }), {}, "/home/u"), {
      kubeconfig: "/home/u/k.yaml",
      context: "ctx",
    });
  });

  it("an existing cluster without a file: the first non-empty KUBECONFIG entry, else ~/.kube/config", () => {
    assert.deepEqual(clusterKubeconfig(existing(), { KUBECONFIG: ":/a:/b" }, "/home/u"), { kubeconfig: "/a" });
    assert.deepEqual(clusterKubeconfig(existing(), {}, "/home/u"), { kubeconfig: "/home/u/.kube/config" });
  });

  it("home defaults to $HOME", () => {
    assert.deepEqual(clusterKubeconfig(existing(), { HOME: "/h" }), { kubeconfig: "/h/.kube/config" });
  });

  it("a cluster cto creates: the kubeconfig it writes", () => {
    const plan = { cluster: { provider: "simulated", kubeconfigPath: "~/.cto/clusters/x.yaml" } } as unknown as Plan;
    assert.deepEqual(clusterKubeconfig(plan, {}, "/home/u"), { kubeconfig: "/home/u/.cto/clusters/x.yaml" });
  });
});
