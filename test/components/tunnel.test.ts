/**
 * Tunnel (issue 15 item 3): a local cluster without a domain gets GitHub's deliveries through a
 * Cloudflare Tunnel whose connector cto runs in the cluster; the Apps' webhook URL, the
 * EventSource's endpoints and the secret agree, and the tunnel token stays a secret.
 */
import assert from "node:assert/strict";
import type { Plan } from "../../profiles/plan.js";
import { agentWebhookPath, agentWebhookUrl, publicWebhookUrl } from "../../profiles/webhooks.js";
import { acme, acmeSecrets, buildUnderMocks } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

const APP_HOOK = "pulumi-nodejs:dynamic/cto:AppWebhookConfig";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const TOKEN = "cf-tunnel-token-do-not-leak";

/** acme minimal on kind with no domain and a Cloudflare Tunnel on hooks.acme.example (as the resolver makes it). */
function cloudflarePlan(): Plan {
  return acme("minimal", (p) => {
    delete p.platform.domain;
    p.components = p.components.filter((c) => c.name !== "ingress-nginx" && c.name !== "traefik");
    p.github.tunnel = { provider: "cloudflare", url: "https://hooks.acme.example" };
    p.github.webhookUrl = publicWebhookUrl({
      tunnel: p.github.tunnel,
      domain: p.platform.domain,
      ingressType: p.platform.ingressType,
    });
  });
}

function secretsFor(plan: Plan): Record<string, string> {
  const secrets = acmeSecrets(plan);
  secrets["github.tunnel.token"] = TOKEN;
  secrets["github.apps.rex.id"] = "100";
  secrets["github.apps.rex.private_key"] = "pem-of-rex";
  return secrets;
}

describe("Tunnel (mocks)", function () {
  this.timeout(60_000);

  it("cloudflare: cloudflared runs the named tunnel with the token from a Secret, never in args", async () => {
    const plan = cloudflarePlan();
    assert.equal(plan.github.webhookUrl, "https://hooks.acme.example/github");
    const { recorded } = await buildUnderMocks(plan, secretsFor(plan));
    const relay = find(recorded, DEPLOYMENT, "tunnel-relay");
    assert.equal(relay.parent, "tunnel");
    const meta = relay.inputs.metadata as { name: string; namespace: string };
    assert.deepEqual([meta.name, meta.namespace], ["cto-tunnel", "cto"]);
    const pod = (relay.inputs.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
    const container = pod.containers[0]!;
    assert.equal(container.image, "cloudflare/cloudflared:2025.11.1");
    assert.deepEqual(container.args, ["tunnel", "--no-autoupdate", "run"]);
    assert.deepEqual(container.env, [
      { name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: "cto-tunnel", key: "token" } } },
    ]);
    const token = find(recorded, "kubernetes:core/v1:Secret", "tunnel-token");
    assert.ok(isSecretAt(token.raw, ["stringData", "token"]), "the token is a Pulumi secret");
    for (const r of recorded.filter((x) => x !== token)) {
      assert.ok(!JSON.stringify(r.inputs).includes(TOKEN), `the token is in no other resource (${r.type} ${r.name})`);
    }
    assert.ok(relay.dependsOn.includes("controller-eventsource-cto-github"), "after the webhook receiver");
  });

  it("the App's webhook URL, the EventSource's endpoint and the secret agree; no Ingress is created", async () => {
    const plan = cloudflarePlan();
    const { recorded } = await buildUnderMocks(plan, secretsFor(plan));
    const hook = find(recorded, APP_HOOK, "github-app-webhook-rex");
    assert.equal(hook.inputs.url, "https://hooks.acme.example/github/rex");
    assert.equal(hook.inputs.url, agentWebhookUrl(plan, "rex"));
    assert.equal(hook.inputs.secret, "secret-value-of-github.webhook_secret");
    const source = find(recorded, "kubernetes:argoproj.io/v1alpha1:EventSource", "controller-eventsource-cto-github");
    const rex = (
      source.inputs.spec as {
        github: Record<string, { webhook: { endpoint: string; port: string }; webhookSecret: { name: string } }>;
      }
    ).github.rex!;
    assert.equal(rex.webhook.endpoint, new URL(hook.inputs.url as string).pathname);
    assert.equal(rex.webhook.endpoint, agentWebhookPath(plan, "rex"));
    assert.equal(rex.webhook.port, "12000");
    assert.equal(rex.webhookSecret.name, "cto-github-webhook");
    const k8sSecret = find(recorded, "kubernetes:core/v1:Secret", "github-github-webhook");
    assert.deepEqual(k8sSecret.inputs.stringData, { secret: hook.inputs.secret });
    assert.equal(recorded.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress").length, 0);
  });

  it("no tunnel: no relay Deployment and no token Secret", async () => {
    const { recorded } = await buildUnderMocks(acme("minimal"));
    assert.equal(recorded.filter((r) => r.name === "tunnel-relay" || r.name === "tunnel-token").length, 0);
  });
});
