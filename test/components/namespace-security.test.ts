/**
 * What the namespaces enforce, per profile: the Pod Security labels of each Namespace and the
 * contents of each NetworkPolicy (not only that they exist). A namespace left `privileged`, a policy
 * that restricts nothing (`policyTypes: []`) or lets in the wrong namespaces fails here.
 */
import assert from "node:assert/strict";
import type { Plan } from "../../profiles/plan.js";
import { ACME_PROFILES } from "../golden/acme-plans.js";
import { acme, buildUnderMocks, type Built } from "./fixtures.js";
import type { RecordedResource } from "./harness.js";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** Namespaces whose workloads need host access: the node exporter reads host namespaces and paths. */
const PRIVILEGED = new Set(["monitoring"]);

const labelsOf = (r: RecordedResource) =>
  ((r.inputs.metadata as { labels?: Record<string, string> }).labels ?? {}) as Record<string, string>;
const nameOf = (r: RecordedResource) => (r.inputs.metadata as { name: string }).name;

/** The selector a NetworkPolicy peer uses to pick namespaces by label (matchLabels only). */
function matches(selector: { matchLabels?: Record<string, string> }, labels: Record<string, string>): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

describe("namespace security per profile: Pod Security labels and network policies (mocks)", function () {
  this.timeout(120_000);
  const built = new Map<string, { plan: Plan } & Built>();
  before(async () => {
    for (const profile of ACME_PROFILES) {
      const plan = acme(profile);
      built.set(profile, { plan, ...(await buildUnderMocks(plan)) });
    }
    const traefik = acme("production", (p) => void (p.platform.ingressType = "traefik"));
    built.set("production-traefik", { plan: traefik, ...(await buildUnderMocks(traefik)) });
  });

  for (const profile of ACME_PROFILES) {
    it(`${profile}: one Namespace per plan namespace, enforce baseline (privileged only for monitoring), audit and warn restricted`, () => {
      const { plan, recorded } = built.get(profile)!;
      const namespaces = recorded.filter((r) => r.type === NAMESPACE);
      const expected = [...new Set([plan.platform.namespace, ...Object.values(plan.namespaces)])].sort();
      assert.deepEqual(namespaces.map(nameOf).sort(), expected);
      for (const ns of namespaces) {
        const labels = labelsOf(ns);
        const name = nameOf(ns);
        assert.equal(
          labels["pod-security.kubernetes.io/enforce"],
          PRIVILEGED.has(name) ? "privileged" : "baseline",
          `${name}: enforce`,
        );
        assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted", `${name}: audit`);
        assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted", `${name}: warn`);
      }
      assert.equal(
        labelsOf(namespaces.find((n) => nameOf(n) === "cto")!)["pod-security.kubernetes.io/enforce"],
        "baseline",
      );
    });
  }

  it("minimal and standard (security off): no network policy", () => {
    for (const profile of ["minimal", "standard"]) {
      assert.equal(built.get(profile)!.recorded.filter((r) => r.type === POLICY).length, 0, profile);
    }
  });

  for (const [variant, ingressNamespaces] of [
    ["production", ["ingress-nginx", "kube-system"]],
    ["production-traefik", ["kube-system"]],
  ] as const) {
    it(`${variant}: each policy restricts ingress of all pods to the namespace, the platform's namespaces, ${ingressNamespaces.join(" and ")}`, () => {
      const { plan, recorded } = built.get(variant)!;
      const policies = recorded.filter((r) => r.type === POLICY);
      assert.deepEqual(policies.map((p) => (p.inputs.metadata as { namespace: string }).namespace).sort(), [
        "argo",
        "argocd",
        "cto",
      ]);
      const namespaceLabels = recorded.filter((r) => r.type === NAMESPACE).map(labelsOf);
      for (const policy of policies) {
        const spec = policy.inputs.spec as {
          podSelector: object;
          policyTypes: string[];
          ingress: { from: Record<string, unknown>[] }[];
          egress?: unknown;
        };
        const where = (policy.inputs.metadata as { namespace: string }).namespace;
        assert.deepEqual(spec.podSelector, {}, `${where}: applies to every pod`);
        assert.deepEqual(spec.policyTypes, ["Ingress"], `${where}: restricts ingress, leaves egress alone`);
        assert.equal(spec.egress, undefined);
        assert.equal(spec.ingress.length, 1, `${where}: one ingress rule`);
        const [samePods, platform, named, ...extra] = spec.ingress[0]!.from;
        assert.deepEqual(extra, [], `${where}: exactly three peers`);
        assert.deepEqual(samePods, { podSelector: {} }, `${where}: pods of the same namespace`);
        const selector = platform!.namespaceSelector as { matchLabels: Record<string, string> };
        assert.deepEqual(selector, {
          matchLabels: { "app.kubernetes.io/managed-by": "cto", "app.kubernetes.io/part-of": plan.platform.name },
        });
        for (const labels of namespaceLabels)
          assert.ok(matches(selector, labels), `the selector picks every platform namespace`);
        const [expression, ...more] = (named!.namespaceSelector as { matchExpressions: Record<string, unknown>[] })
          .matchExpressions;
        assert.deepEqual(more, []);
        assert.equal(expression!.key, "kubernetes.io/metadata.name");
        assert.equal(expression!.operator, "In");
        assert.deepEqual([...(expression!.values as string[])].sort(), ingressNamespaces, `${where}: named namespaces`);
      }
    });
  }
});
