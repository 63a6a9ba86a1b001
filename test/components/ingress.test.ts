/** Ingress: the controller platform.ingress_type names, and webhooks.<domain> routed per agent to the receiver. */
import assert from "node:assert/strict";
import { agentWebhookPath, webhookReceiverService } from "../../profiles/webhooks.js";
import { useTraefikOnKind } from "../golden/acme-plans.js";
import { acme, buildUnderMocks } from "./fixtures.js";
import { find } from "./harness.js";

interface IngressSpec {
  ingressClassName: string;
  rules: { host: string; http: { paths: { path: string; pathType: string; backend: unknown }[] } }[];
  tls?: { hosts: string[]; secretName: string }[];
}

describe("ingress (mocks)", function () {
  this.timeout(60_000);

  it("nginx with a domain: the ingress-nginx release, and one Exact path per agent to the receiver", async () => {
    const plan = acme("standard");
    const { recorded } = await buildUnderMocks(plan);
    const release = find(recorded, "kubernetes:helm.sh/v3:Release", "ingress-ingress-nginx");
    assert.equal(release.inputs.chart, "ingress-nginx");
    assert.equal(release.inputs.namespace, "ingress-nginx");
    assert.equal(release.inputs.version, "4.14.1");
    const values = release.inputs.values as { controller: { ingressClassResource: { name: string } } };
    assert.equal(values.controller.ingressClassResource.name, "nginx");
    assert.ok(release.dependsOn.includes("base-ns-ingress-nginx"));

    const ingress = find(recorded, "kubernetes:networking.k8s.io/v1:Ingress", "ingress-webhooks");
    const spec = ingress.inputs.spec as IngressSpec;
    assert.equal(spec.ingressClassName, "nginx");
    assert.equal(spec.rules[0]!.host, "webhooks.acme.example");
    const receiver = webhookReceiverService(plan);
    assert.deepEqual(receiver, { name: "cto-github-eventsource-svc", namespace: "cto", port: 12000 });
    // In agent-name order, the order the resolver lists agents in (this hand-written plan does
    // not), so cto render's copy of this Ingress does not depend on the plan's order.
    const byName = [...plan.agents].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
      spec.rules[0]!.http.paths,
      byName.map((a) => ({
        path: agentWebhookPath(plan, a.name),
        pathType: "Exact",
        backend: { service: { name: receiver.name, port: { number: receiver.port } } },
      })),
    );
    assert.deepEqual(
      spec.rules[0]!.http.paths.map((p) => p.path),
      ["/github/cleo", "/github/rex", "/github/tess"],
    );
    assert.equal(spec.tls, undefined, "no TLS without the security feature");
    assert.ok(ingress.dependsOn.includes("ingress-ingress-nginx"), "after the controller");
  });

  it("production (security on): the webhooks host gets TLS from the cluster issuer", async () => {
    const plan = acme("production");
    const { recorded } = await buildUnderMocks(plan);
    const ingress = find(recorded, "kubernetes:networking.k8s.io/v1:Ingress", "ingress-webhooks");
    const spec = ingress.inputs.spec as IngressSpec;
    assert.deepEqual(spec.tls, [{ hosts: ["webhooks.acme.example"], secretName: "cto-webhooks-tls" }]);
    const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations;
    assert.equal(annotations["cert-manager.io/cluster-issuer"], "cto-cluster-issuer");
  });

  it("traefik on kind: the traefik release binds the node's ports 80/443; the Ingress uses class traefik", async () => {
    const plan = acme("minimal", (p) => {
      useTraefikOnKind(p, "/tmp/acme-kubeconfig");
      p.namespaces = { ...p.namespaces, traefik: "traefik" };
      delete p.namespaces.ingressNginx;
    });
    const { recorded } = await buildUnderMocks(plan);
    const release = find(recorded, "kubernetes:helm.sh/v3:Release", "ingress-traefik");
    const values = release.inputs.values as {
      ingressClass: { name: string };
      ports: { web: { hostPort: number }; websecure: { hostPort: number } };
      nodeSelector: Record<string, string>;
    };
    assert.equal(values.ingressClass.name, "traefik");
    assert.deepEqual([values.ports.web.hostPort, values.ports.websecure.hostPort], [80, 443]);
    assert.deepEqual(values.nodeSelector, { "ingress-ready": "true" });
    const spec = find(recorded, "kubernetes:networking.k8s.io/v1:Ingress", "ingress-webhooks").inputs
      .spec as IngressSpec;
    assert.equal(spec.ingressClassName, "traefik");
  });

  it("ingress_type none: no controller and no Ingress", async () => {
    const plan = acme("minimal", (p) => {
      p.platform.ingressType = "none";
      p.components = p.components.filter((c) => c.name !== "ingress-nginx");
    });
    const { recorded } = await buildUnderMocks(plan);
    assert.deepEqual(
      recorded.filter((r) => r.type.includes("Ingress") || r.name.startsWith("ingress-")).map((r) => r.name),
      ["ingress"],
      "only the empty component",
    );
  });
});
