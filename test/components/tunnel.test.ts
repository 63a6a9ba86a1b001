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

/** acme on kind with no domain (so no ingress controller) and this tunnel, as the resolver makes it. */
function tunnelPlan(profile: Parameters<typeof acme>[0], tunnel: NonNullable<Plan["github"]["tunnel"]>): Plan {
  return acme(profile, (p) => {
    delete p.platform.domain;
    p.components = p.components.filter((c) => c.name !== "ingress-nginx" && c.name !== "traefik");
    p.github.tunnel = tunnel;
    p.github.webhookUrl = publicWebhookUrl({
      tunnel: p.github.tunnel,
      domain: p.platform.domain,
      ingressType: p.platform.ingressType,
    });
  });
}

/** acme minimal with a Cloudflare Tunnel on hooks.acme.example. */
function cloudflarePlan(): Plan {
  return tunnelPlan("minimal", { provider: "cloudflare", url: "https://hooks.acme.example" });
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
    assert.equal(hook.inputs.secret, "generated-github-webhook-secret-rex");
    const source = find(recorded, "kubernetes:argoproj.io/v1alpha1:EventSource", "controller-eventsource-cto-github");
    const rex = (
      source.inputs.spec as {
        github: Record<string, { webhook: { endpoint: string; port: string }; webhookSecret: { name: string } }>;
      }
    ).github.rex!;
    assert.equal(rex.webhook.endpoint, new URL(hook.inputs.url as string).pathname);
    assert.equal(rex.webhook.endpoint, agentWebhookPath(plan, "rex"));
    assert.equal(rex.webhook.port, "12000");
    assert.equal(rex.webhookSecret.name, "cto-github-app-rex");
    const k8sSecret = find(recorded, "kubernetes:core/v1:Secret", "github-github-app-rex");
    assert.equal((k8sSecret.inputs.stringData as Record<string, string>)["webhook-secret"], hook.inputs.secret);
    assert.equal(recorded.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress").length, 0);
  });

  it("smee with three agents: each App delivers to its own channel, and one client per agent forwards it to that agent's endpoint", async () => {
    // smee.io serves one path segment per channel and its client posts each channel to exactly one
    // target: before, every App got <channel>/<agent> (a URL smee.io has no route for) and one
    // client forwarded <channel> to <receiver>/<channel>, a path no endpoint listens on.
    const plan = tunnelPlan("standard", { provider: "smee", url: "https://smee.io/AbC123xyz" });
    const agents = plan.agents.map((a) => a.name).sort();
    assert.deepEqual(agents, ["cleo", "rex", "tess"]);
    const secrets = acmeSecrets(plan);
    for (const [i, a] of agents.entries()) {
      secrets[`github.apps.${a}.id`] = String(100 + i);
      secrets[`github.apps.${a}.private_key`] = `pem-of-${a}`;
    }
    const { recorded } = await buildUnderMocks(plan, secrets);
    const relay = find(recorded, DEPLOYMENT, "tunnel-relay");
    const containers = (
      relay.inputs.spec as { template: { spec: { containers: { name: string; args: string[]; image: string }[] } } }
    ).template.spec.containers;
    assert.deepEqual(
      containers.map((c) => c.name).sort(),
      agents.map((a) => `smee-${a}`),
    );
    const source = find(recorded, "kubernetes:argoproj.io/v1alpha1:EventSource", "controller-eventsource-cto-github");
    const endpoints = (
      source.inputs.spec as { github: Record<string, { webhook: { endpoint: string; port: string } }> }
    ).github;
    const receiver = "http://cto-github-eventsource-svc.cto.svc.cluster.local:12000";
    const channels = new Set<string>();
    for (const a of agents) {
      const hook = find(recorded, APP_HOOK, `github-app-webhook-${a}`);
      assert.equal(hook.inputs.url, `https://smee.io/AbC123xyz-${a}`, `${a}'s App delivers to its own channel`);
      channels.add(hook.inputs.url as string);
      const c = containers.find((x) => x.name === `smee-${a}`)!;
      assert.equal(c.image, "node:22-alpine");
      const arg = (flag: string) => c.args[c.args.indexOf(flag) + 1];
      assert.equal(arg("--url"), hook.inputs.url, `${a}'s smee client reads the channel the App delivers to`);
      assert.equal(
        arg("--target"),
        `${receiver}${endpoints[a]!.webhook.endpoint}`,
        `${a}'s client posts to its endpoint`,
      );
      assert.equal(endpoints[a]!.webhook.endpoint, `/github/${a}`);
    }
    assert.equal(channels.size, agents.length, "no two Apps share a channel");
  });

  it("no tunnel: no relay Deployment and no token Secret", async () => {
    const { recorded } = await buildUnderMocks(acme("minimal"));
    assert.equal(recorded.filter((r) => r.name === "tunnel-relay" || r.name === "tunnel-token").length, 0);
  });
});
