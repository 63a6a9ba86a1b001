import assert from "node:assert/strict";
import {
  agentWebhookPath,
  agentWebhookUrl,
  controllerChartFullName,
  externalRouteNote,
  publicWebhookUrl,
  smeeAgentChannel,
  smeeChannelProblem,
  webhookReceiverService,
} from "../../profiles/webhooks.js";

const plan = (webhookUrl?: string) =>
  ({
    github: {
      organization: "acme",
      repository: "platform",
      baseUrl: "https://api.github.com",
      apps: [],
      tunnel: { provider: "none" },
      ...(webhookUrl === undefined ? {} : { webhookUrl }),
    },
  }) as unknown as Parameters<typeof agentWebhookUrl>[0];

describe("profiles/webhooks: one URL and path per agent's App", () => {
  it("appends the agent to the plan's webhook URL (the domain default)", () => {
    const p = plan("https://webhooks.acme.example/github");
    assert.equal(agentWebhookUrl(p, "rex"), "https://webhooks.acme.example/github/rex");
    assert.equal(agentWebhookPath(p, "rex"), "/github/rex");
  });

  it("does not double a trailing slash and keeps a custom path", () => {
    const p = plan("https://hooks.acme.example/cto/");
    assert.equal(agentWebhookUrl(p, "cleo"), "https://hooks.acme.example/cto/cleo");
    assert.equal(agentWebhookPath(p, "cleo"), "/cto/cleo");
  });

  it("a URL at the host's root gives /<agent>", () => {
    const p = plan("https://hooks.acme.example");
    assert.equal(agentWebhookUrl(p, "tess"), "https://hooks.acme.example/tess");
    assert.equal(agentWebhookPath(p, "tess"), "/tess");
  });

  it("without a public URL: no App URL, and the cluster path /github/<agent>", () => {
    const p = plan();
    assert.equal(agentWebhookUrl(p, "rex"), undefined);
    assert.equal(agentWebhookPath(p, "rex"), "/github/rex");
  });

  it("smee: each agent's App gets its own channel (smee.io has no paths under a channel), served at /github/<agent>", () => {
    const p = {
      github: { webhookUrl: "https://smee.io/AbC123", tunnel: { provider: "smee", url: "https://smee.io/AbC123" } },
    } as unknown as Parameters<typeof agentWebhookUrl>[0];
    assert.equal(agentWebhookUrl(p, "rex"), "https://smee.io/AbC123-rex");
    assert.equal(agentWebhookUrl(p, "cleo"), "https://smee.io/AbC123-cleo");
    assert.equal(agentWebhookPath(p, "rex"), "/github/rex");
    assert.equal(agentWebhookPath(p, "cleo"), "/github/cleo");
    assert.equal(smeeAgentChannel("https://smee.example/ch/", "tess"), "https://smee.example/ch-tess");
  });

  it("smeeChannelProblem: one path segment smee accepts, and agents' channels within 128 characters", () => {
    assert.equal(smeeChannelProblem("https://smee.io/AbC_12-3", ["rex", "cleo"]), undefined);
    assert.match(smeeChannelProblem("https://smee.io/", ["rex"]) ?? "", /not a smee channel URL/);
    assert.match(smeeChannelProblem("https://smee.io/a/b", ["rex"]) ?? "", /not a smee channel URL/);
    assert.match(smeeChannelProblem("https://smee.io/abc?x=1", ["rex"]) ?? "", /not a smee channel URL/);
    assert.match(smeeChannelProblem("not a url", ["rex"]) ?? "", /is not a URL/);
    assert.match(smeeChannelProblem(`https://smee.io/${"a".repeat(125)}`, ["rex"]) ?? "", /128 characters/);
    assert.equal(smeeChannelProblem(`https://smee.io/${"a".repeat(124)}`, ["rex"]), undefined);
  });

  it("each agent gets a different URL", () => {
    const p = plan("https://webhooks.acme.example/github");
    assert.notEqual(agentWebhookUrl(p, "rex"), agentWebhookUrl(p, "cleo"));
  });
});

describe("profiles/webhooks: the public URL, the receiver and who routes it", () => {
  const none = { provider: "none" } as const;
  it("publicWebhookUrl: webhook_url, then a tunnel's URL (at /github without a path), then the domain", () => {
    const domain = "acme.example";
    assert.equal(
      publicWebhookUrl({ webhookUrl: "https://x.example/in", tunnel: none, domain, ingressType: "nginx" }),
      "https://x.example/in",
    );
    assert.equal(
      publicWebhookUrl({ tunnel: { provider: "cloudflare", url: "https://hooks.acme.example" }, ingressType: "nginx" }),
      "https://hooks.acme.example/github",
    );
    assert.equal(
      publicWebhookUrl({ tunnel: { provider: "ngrok", url: "https://acme.ngrok.app/in" }, ingressType: "nginx" }),
      "https://acme.ngrok.app/in",
    );
    assert.equal(
      publicWebhookUrl({ tunnel: { provider: "smee", url: "https://smee.io/abc" }, ingressType: "nginx" }),
      "https://smee.io/abc",
    );
    assert.equal(
      publicWebhookUrl({ tunnel: none, domain, ingressType: "none" }),
      "https://webhooks.acme.example/github",
    );
    assert.equal(publicWebhookUrl({ tunnel: none, ingressType: "nginx" }), undefined);
  });

  it("webhookReceiverService: the EventSource's Service, or a controller chart's (Helm's full name)", () => {
    const p = { platform: { namespace: "cto" }, components: [] } as unknown as Parameters<
      typeof webhookReceiverService
    >[0];
    assert.deepEqual(webhookReceiverService(p), { name: "cto-github-eventsource-svc", namespace: "cto", port: 12000 });
    const chart = {
      platform: { namespace: "cto" },
      components: [{ name: "controller", namespace: "agents", chart: { chart: "cto-controller" } }],
    } as unknown as Parameters<typeof webhookReceiverService>[0];
    assert.deepEqual(webhookReceiverService(chart), {
      name: "controller-cto-controller",
      namespace: "agents",
      port: 80,
    });
    assert.equal(controllerChartFullName("controller"), "controller");
  });

  it("externalRouteNote: says who routes which URL to which Service, only when cto does not", () => {
    const base = (platform: object, github: object) =>
      ({
        platform: { namespace: "cto", ingressType: "nginx", ...platform },
        components: [],
        agents: [{ name: "rex" }, { name: "cleo" }],
        github: { tunnel: none, ...github },
      }) as unknown as Parameters<typeof externalRouteNote>[0];
    const routedByCto = base({ domain: "acme.example" }, { webhookUrl: "https://webhooks.acme.example/github" });
    assert.equal(externalRouteNote(routedByCto), undefined);
    assert.equal(externalRouteNote(base({}, {})), undefined, "no URL: nothing to route");
    assert.equal(
      externalRouteNote(
        base({ domain: "acme.example", ingressType: "none" }, { webhookUrl: "https://webhooks.acme.example/github" }),
      ),
      "platform.ingress_type is none, so cto installs no ingress controller: your ingress or proxy must route " +
        "https://webhooks.acme.example paths /github/rex, /github/cleo to the Service cto-github-eventsource-svc " +
        "port 12000 in namespace cto (http://cto-github-eventsource-svc.cto.svc.cluster.local:12000).",
    );
    const cf = externalRouteNote(
      base(
        {},
        {
          webhookUrl: "https://hooks.acme.example/github",
          tunnel: { provider: "cloudflare", url: "https://hooks.acme.example" },
        },
      ),
    );
    assert.match(
      cf ?? "",
      /route hooks\.acme\.example to http:\/\/cto-github-eventsource-svc\.cto\.svc\.cluster\.local:12000/,
    );
    const ngrok = base(
      {},
      { webhookUrl: "https://acme.ngrok.app/github", tunnel: { provider: "ngrok", url: "https://acme.ngrok.app" } },
    );
    assert.equal(externalRouteNote(ngrok), undefined, "the ngrok agent forwards to the receiver itself");
  });
});
