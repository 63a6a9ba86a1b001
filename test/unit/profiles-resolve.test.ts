import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../config/errors.js";
import { parseConfigText } from "../../config/load.js";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import { resolvePlan, type ResolveOptions } from "../../profiles/resolve.js";
import { ACME_PROFILES, acmePlan, type AcmeProfile } from "../golden/acme-plans.js";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtest\n-----END RSA PRIVATE KEY-----\n";

/** The minimum valid document, plus `extra` YAML appended at the top level. */
const BASE = `version: "0.1.0"
platform:
  name: acme-platform
  domain: acme.example
github:
  organization: acme
  repository: platform
charts:
  argo-cd: {}
cluster:
  provider: existing
`;

describe("profiles: resolvePlan", () => {
  let catalog: Catalog;
  let tmp: string;
  let home: string;
  before(async () => {
    catalog = await loadCatalog();
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-resolve-"));
    home = path.join(tmp, "cto-home");
    for (const agent of ["rex", "cleo", "tess", "morgan"])
      await writeFile(path.join(tmp, `${agent}.pem`), PEM, { mode: 0o600 });
    await writeFile(path.join(tmp, "not-a-key.pem"), "hello\n");
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, "cto.yaml", { env });
  const resolve = (text: string, opts: Partial<ResolveOptions> = {}) =>
    resolvePlan(parse(text), { environment: "dev", home, baseDir: tmp, env: { HOME: tmp }, ...opts }, catalog);

  /** The formatted message of the ConfigError `resolve` rejects with. */
  async function problems(text: string, opts: Partial<ResolveOptions> = {}): Promise<string> {
    try {
      await resolve(text, opts);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    return assert.fail("expected a ConfigError");
  }

  describe("the webhook URL a tunnel or ingress_type none gives (issue 15 item 3)", () => {
    const local = BASE.replace("  domain: acme.example\n", "").replace("provider: existing", "provider: kind");
    const withTunnel = (tunnel: string) =>
      local.replace("  repository: platform\n", `  repository: platform\n  tunnel: ${tunnel}\n`);

    it("a Cloudflare Tunnel's public URL is the Apps' webhook URL, at /github", async () => {
      const { plan } = await resolve(
        withTunnel("{ provider: cloudflare, url: 'https://hooks.acme.example', token: t0k }"),
      );
      assert.equal(plan.github.webhookUrl, "https://hooks.acme.example/github");
      assert.deepEqual(plan.github.tunnel, { provider: "cloudflare", url: "https://hooks.acme.example" });
    });

    it("an ngrok domain with a path keeps it; github.webhook_url wins over both", async () => {
      const ngrok = await resolve(withTunnel("{ provider: ngrok, url: 'https://acme.ngrok.app/hooks', token: t0k }"));
      assert.equal(ngrok.plan.github.webhookUrl, "https://acme.ngrok.app/hooks");
      const explicit = await resolve(
        withTunnel("{ provider: cloudflare, token: t0k }").replace(
          "  repository: platform\n",
          "  repository: platform\n  webhook_url: https://gh.acme.example/in\n",
        ),
      );
      assert.equal(explicit.plan.github.webhookUrl, "https://gh.acme.example/in");
    });

    it("a Cloudflare or ngrok tunnel without its public URL is refused with the fix", async () => {
      const cf = await problems(withTunnel("{ provider: cloudflare, token: t0k }"));
      assert.match(cf, /github\.tunnel\.url: github\.tunnel\.provider cloudflare needs the tunnel's public URL/);
      assert.match(cf, /fix: set github\.tunnel\.url to https:\/\/<the public hostname/);
      const ng = await problems(withTunnel("{ provider: ngrok, token: t0k }"));
      assert.match(ng, /github\.tunnel\.provider ngrok needs a reserved address/);
    });

    it("smee: the channel is the webhook URL; a URL that is not one smee channel is refused with the fix", async () => {
      const { plan } = await resolve(withTunnel("{ provider: smee, url: 'https://smee.io/AbC123' }"));
      assert.equal(plan.github.webhookUrl, "https://smee.io/AbC123");
      const nested = await problems(withTunnel("{ provider: smee, url: 'https://smee.io/AbC123/rex' }"));
      assert.match(nested, /github\.tunnel\.url: https:\/\/smee\.io\/AbC123\/rex is not a smee channel URL/);
      assert.match(nested, /each agent's App delivers to its own channel, <channel>-<agent>/);
      assert.match(nested, /fix: set github\.tunnel\.url to a channel from https:\/\/smee\.io\/new/);
    });

    it("ingress_type none with a domain: the URL is webhooks.<domain>, no ingress controller in the plan", async () => {
      const { plan } = await resolve(
        BASE.replace("  domain: acme.example\n", "  domain: acme.example\n  ingress_type: none\n"),
      );
      assert.equal(plan.github.webhookUrl, "https://webhooks.acme.example/github");
      assert.ok(!plan.components.some((c) => c.name === "ingress-nginx" || c.name === "traefik"));
    });
  });

  describe("matches the hand-written acme plans (golden) for an equivalent config", () => {
    const agentsFor: Record<AcmeProfile, string> = {
      minimal: "  rex: { cli: claude, resources: { cpu: 2, memory: 4Gi } }\n",
      standard:
        "  rex: { cli: claude, resources: { cpu: 2, memory: 4Gi } }\n  cleo: { cli: codex, model: gpt-5-codex, resources: { cpu: 1, memory: 2Gi } }\n  tess: { resources: { cpu: 1, memory: 2Gi } }\n",
      production:
        "  rex: { cli: claude, resources: { cpu: 4, memory: 8Gi } }\n  cleo: { cli: codex, model: gpt-5-codex, resources: { cpu: 1, memory: 2Gi } }\n  tess: { resources: { cpu: 1, memory: 2Gi } }\n  morgan: { resources: { cpu: 1, memory: 2Gi }, features: { kubernetes_testing: false, docs: true } }\n",
    };
    const configFor = (profile: AcmeProfile) => {
      const agents = [...agentsFor[profile].matchAll(/^ {2}([a-z]+):/gm)].map((m) => m[1] as string);
      const apps = agents.map((a) => `    ${a}: { private_key_path: ${a}.pem }\n`).join("");
      return `version: "0.1.0"
profile: ${profile}
release: "0.1.0"
platform: { name: acme-platform, domain: acme.example }
github:
  organization: acme
  repository: platform
  webhook_secret: \${HOOK}
  apps:
${apps}registry: { type: generic, url: registry.acme.example, namespace: platform, username: deploy, password: "\${REGISTRY_PASSWORD}", platform_images: mirror }
agents:
${agentsFor[profile]}cluster: { provider: existing, name: acme }
backup: { bucket: acme-backups, region: eu-west-1, endpoint: "https://s3.acme.example" }
environments:
  dev: {}
  prod: { production: true }
`;
    };
    for (const profile of ACME_PROFILES) {
      it(profile, async () => {
        const golden = acmePlan(profile);
        const config = parse(configFor(profile), { HOOK: "0123456789abcdef0123", REGISTRY_PASSWORD: "pw" });
        const { plan, secrets } = await resolvePlan(
          config,
          { environment: golden.environment, home, baseDir: tmp, env: { HOME: tmp } },
          catalog,
        );
        const withoutRequired = (cs: typeof plan.components) => cs.map(({ required: _, ...c }) => c);
        assert.deepEqual(withoutRequired(plan.components), withoutRequired(golden.components));
        assert.deepEqual(plan.namespaces, golden.namespaces);
        assert.deepEqual(plan.secretNames, golden.secretNames);
        assert.deepEqual(plan.features, golden.features);
        assert.deepEqual(plan.platform, golden.platform);
        assert.deepEqual(plan.registry, golden.registry);
        assert.deepEqual(plan.cluster, golden.cluster);
        assert.deepEqual(plan.state, golden.state);
        assert.deepEqual(plan.backup, golden.backup);
        assert.equal(plan.production, golden.production);
        assert.equal(plan.release, golden.release);
        assert.deepEqual(plan.profile.requirements, golden.profile.requirements);
        assert.equal(plan.profile.estimatedInstallMinutes, golden.profile.estimatedInstallMinutes);
        const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(byName(plan.agents), byName(golden.agents));
        assert.deepEqual(
          plan.github.apps.map((a) => [a.agent, a.appName]).sort(),
          golden.github.apps.map((a) => [a.agent, a.appName]).sort(),
        );
        assert.equal(plan.github.webhookUrl, golden.github.webhookUrl);
        // Secret values travel beside the plan, never in it.
        assert.equal(secrets["github.apps.rex.private_key"], PEM);
        assert.equal(secrets["registry.password"], "pw");
        assert.ok(!JSON.stringify(plan).includes("PRIVATE KEY"));
        assert.ok(!JSON.stringify(plan).includes("0123456789abcdef0123"));
      });
    }
  });

  // Table: config (appended to BASE), options, and the exact error text.
  const errors: Array<[string, string, Partial<ResolveOptions>, string[]]> = [
    [
      "high availability on the minimal profile",
      "features: { high_availability: true }\n",
      {},
      [
        "  cto.yaml features.high_availability: high_availability is not available in the minimal profile",
        "      fix: use profile production, or set features.high_availability: false",
      ],
    ],
    [
      "backup on the minimal profile",
      "features: { backup: true }\nbackup: { bucket: acme-backups, endpoint: 'https://s3.acme.example' }\n",
      {},
      [
        "  cto.yaml features.backup: backup is not available in the minimal profile",
        "      fix: use profile production or standard, or set features.backup: false",
      ],
    ],
    [
      "backup without a bucket (production default)",
      "",
      { profile: "production" },
      [
        "  cto.yaml backup.bucket: features.backup is on (a default of the production profile) but backup.bucket is not set",
        "      fix: set backup.bucket (with backup.region or backup.endpoint), or set features.backup: false",
      ],
    ],
    [
      "s3-compatible backup without an endpoint",
      "profile: standard\nfeatures: { backup: true }\nbackup: { bucket: acme-backups }\n",
      {},
      [
        "  cto.yaml backup.endpoint: backup.provider s3-compatible needs backup.endpoint",
        "      fix: set backup.endpoint to the S3 API URL (e.g. https://s3.acme.example), or set backup.provider: aws",
      ],
    ],
    [
      "high availability on a kind cluster",
      "profile: production\nfeatures: { backup: false }\nenvironments:\n  dev: { cluster: { provider: kind } }\n",
      {},
      [
        "  cto.yaml environments.dev.cluster.provider: features.high_availability is on (a default of the production profile) but a kind cluster runs on one machine and cannot be highly available",
        "      fix: use cluster.provider k3s with three servers in cluster.nodes, or existing, or set features.high_availability: false",
      ],
    ],
    [
      "high availability on a simulated cluster of two nodes",
      "profile: production\nfeatures: { backup: false, high_availability: true }\nenvironments:\n  dev: { cluster: { provider: simulated, simulated: { nodes: 2 } } }\n",
      {},
      [
        "  cto.yaml environments.dev.cluster.simulated.nodes: features.high_availability is on but the simulated cluster has 2 nodes; high availability needs at least 3",
        "      fix: set cluster.simulated.nodes: 3, or set features.high_availability: false",
      ],
    ],
    [
      "a feature switched on by an environment the profile does not allow",
      "environments:\n  dev: { features: { security: true } }\n",
      {},
      [
        "  cto.yaml environments.dev.features.security: security is not available in the minimal profile",
        "      fix: use profile production or standard, or set features.security: false",
      ],
    ],
    [
      "unknown environment",
      "environments:\n  staging: {}\n  prod: {}\n",
      { environment: "stagin" },
      ["  cto.yaml environments: environment `stagin` is not defined", "      fix: did you mean `staging`?"],
    ],
    [
      "unknown profile",
      "profile: prodution\n",
      {},
      ["  cto.yaml profile: unknown profile `prodution`", "      fix: did you mean `production`?"],
    ],
    [
      "unknown release from the command line",
      "",
      { release: "0.9.0" },
      [
        "  cto.yaml --release: unknown platform release `0.9.0`",
        "      fix: use one of 0.1.0, 0.2.0, 0.3.0, or leave release unset for the newest (0.3.0)",
      ],
    ],
    [
      "chart override for an unknown component",
      "  argocd: { version: 7.9.0 }\n",
      {},
      ["  cto.yaml charts.argocd: unknown component `argocd`", "      fix: did you mean `argo-cd`?"],
    ],
    [
      "a controller chart without a version",
      "  controller: { repository: oci://registry.acme.example/charts }\n",
      { file: "acme.yaml" },
      [
        "  acme.yaml charts.controller.version: charts.controller.repository installs a chart of your own instead of the controller objects cto ships, and no version of it is set",
        "      fix: set charts.controller.version (and charts.controller.chart if it is not named controller), or remove charts.controller to install the objects cto ships",
      ],
    ],
    [
      "a mirror for the platform's images without a registry",
      "registry: { type: local, platform_images: mirror }\n",
      {},
      [
        "  cto.yaml registry.platform_images: mirror relocates the platform's images to registry.url, and none is set (type local would mean a registry on this machine that nobody fills)",
        "      fix: set registry.url to the registry holding copies of the images, or remove platform_images to pull them from where the release pins them",
      ],
    ],
    [
      "an agent CLI the release pins no image for",
      "agents: { rex: { cli: cursor } }\n",
      {},
      [
        "  cto.yaml agents.rex.cli: release 0.3.0 pins no image for the cursor CLI",
        "      fix: use one of claude, codex",
      ],
    ],
    [
      "a GitHub App for an agent that does not exist",
      "agents: { rex: {} }\n",
      {},
      ["  cto.yaml github.apps.rexx: there is no agent `rexx` for this GitHub App", "      fix: did you mean `rex`?"],
    ],
    [
      "a GitHub App name over 34 characters",
      "agents: { implementation-agent-number-one: {} }\n",
      {},
      [
        '  cto.yaml github.apps.implementation-agent-number-one.slug: the GitHub App name "acme-implementation-agent-number-one" is 36 characters; GitHub allows at most 34',
        "      fix: set github.apps.implementation-agent-number-one.slug to a shorter name",
      ],
    ],
    [
      "a key file that does not exist, and one that is not a key",
      "agents: { rex: {}, cleo: {} }\n",
      {},
      [
        "  cto.yaml github.apps.cleo.private_key_path: TMP/not-a-key.pem is not a PEM private key (no BEGIN/END PRIVATE KEY lines)",
        "      fix: use the .pem file GitHub gives under the App's settings → Private keys → Generate a private key",
        "  cto.yaml github.apps.rex.private_key_path: TMP/keys/rex.pem does not exist",
        "      fix: save the App's private key there (App settings → Private keys → Generate a private key), or fix the path",
      ],
    ],
    [
      "a registry type that needs a URL",
      "registry: { type: ecr }\n",
      {},
      [
        "  cto.yaml registry.url: registry type ecr needs registry.url",
        "      fix: set registry.url, e.g. 123456789012.dkr.ecr.us-west-2.amazonaws.com",
      ],
    ],
  ];
  /** Puts `extra` where it belongs: chart entries under BASE's `charts:`, keys of github.apps under github. */
  const withExtra = (name: string, extra: string) => {
    let text = BASE;
    if (extra.startsWith("  ")) text = text.replace("charts:\n", `charts:\n${extra}`);
    else text += extra;
    if (name.startsWith("a GitHub App for"))
      text = text.replace("  repository: platform\n", "  repository: platform\n  apps:\n    rexx: {}\n");
    if (name.startsWith("a key file")) {
      text = text.replace(
        "  repository: platform\n",
        "  repository: platform\n  apps:\n    rex: { private_key_path: keys/rex.pem }\n    cleo: { private_key_path: ~/not-a-key.pem }\n",
      );
    }
    return text;
  };
  for (const [name, extra, opts, expected] of errors) {
    it(`rejects ${name}`, async () => {
      const message = await problems(withExtra(name, extra), opts);
      const lines = message.replaceAll(tmp, "TMP").split("\n");
      assert.deepEqual(lines.slice(1), expected);
      assert.equal(lines[0], expected.length / 2 === 1 ? "1 problem found:" : `${expected.length / 2} problems found:`);
    });
  }

  it("reports several resolution problems at once", async () => {
    const message = await problems(
      `${BASE}profile: minimal\nfeatures: { high_availability: true, backup: true }\n`.replace(
        "  argo-cd: {}\n",
        "  controller: { repository: oci://registry.acme.example/charts }\n",
      ),
    );
    assert.match(message, /^3 problems found:/);
    assert.match(message, /features\.high_availability: high_availability is not available/);
    assert.match(message, /features\.backup: backup is not available/);
    assert.match(message, /charts\.controller\.version: /);
  });

  it("merges environment overrides without resetting siblings", async () => {
    const text = `${BASE}agents:\n  rex: { cli: claude, resources: { cpu: 2, memory: 4Gi } }\nenvironments:
  dev: {}
  staging:
    profile: standard
    release: "0.1.0"
    platform: { domain: staging.acme.example }
    agents: { rex: { resources: { memory: 8Gi } } }
    charts: { argo-cd: { version: 7.8.13 } }
`;
    const { plan } = await resolve(text, { environment: "staging" });
    assert.equal(plan.profile.name, "standard");
    assert.equal(plan.release, "0.1.0");
    assert.equal(plan.platform.domain, "staging.acme.example");
    assert.equal(plan.platform.namespace, "cto");
    assert.equal(plan.platform.ingressType, "nginx");
    assert.deepEqual(plan.agents[0], {
      name: "rex",
      cli: "claude",
      resources: { cpu: "2", memory: "8Gi" },
      features: {},
    });
    assert.deepEqual(plan.components.find((c) => c.name === "argo-cd")?.chart, {
      repository: "https://argoproj.github.io/argo-helm",
      chart: "argo-cd",
      version: "7.8.13",
    });
    assert.equal(plan.features.monitoring, true, "the standard profile's default");
    const dev = (await resolve(text, { environment: "dev" })).plan;
    assert.equal(dev.profile.name, "minimal");
    assert.equal(dev.release, catalog.latestRelease);
    assert.equal(dev.agents[0]?.resources.memory, "4Gi");
  });

  it("charts.default.repository mirrors every chart; per-component settings win", async () => {
    const text = BASE.replace(
      "  argo-cd: {}\n",
      "  default: { repository: 'oci://mirror.acme.example/charts' }\n  argo-cd: { repository: 'https://argo.mirror.acme.example' }\n",
    );
    const { plan } = await resolve(text);
    assert.deepEqual(
      plan.components.map((c) => [c.name, c.chart?.repository, c.chart?.chart]),
      [
        ["ingress-nginx", "oci://mirror.acme.example/charts", "ingress-nginx"],
        ["argo-cd", "https://argo.mirror.acme.example", "argo-cd"],
        ["argo-workflows", "oci://mirror.acme.example/charts", "argo-workflows"],
        ["argo-events", "oci://mirror.acme.example/charts", "argo-events"],
        ["controller", undefined, undefined],
      ],
      "the mirror serves charts; the controller is the objects cto ships",
    );
    const ownChart = BASE.replace(
      "  argo-cd: {}\n",
      "  default: { repository: 'oci://mirror.acme.example/charts' }\n  controller: { repository: 'oci://registry.acme.example/charts', chart: cto-controller, version: 1.2.3 }\n",
    );
    const controller = (await resolve(ownChart)).plan.components.find((c) => c.name === "controller");
    assert.deepEqual(controller?.chart, {
      repository: "oci://registry.acme.example/charts",
      chart: "cto-controller",
      version: "1.2.3",
    });
  });

  it("features the profile allows switch components on and off", async () => {
    const { plan } = await resolve(`${BASE}features: { monitoring: true }\n`);
    // In install order: monitoring first (its CRDs serve the other charts' ServiceMonitors), logging after.
    assert.deepEqual(
      plan.components.map((c) => c.name),
      ["monitoring", "ingress-nginx", "argo-cd", "argo-workflows", "argo-events", "controller", "logging"],
    );
    assert.equal(plan.namespaces.monitoring, "monitoring");
    const off = (await resolve(`${BASE}profile: standard\nfeatures: { databases: false }\n`)).plan;
    assert.ok(!off.components.some((c) => c.category === "database"));
    assert.equal(off.namespaces.databases, undefined);
  });

  it("cluster plans: defaults sized to the profile, kubeconfig under cto's home", async () => {
    const sim = (await resolve(BASE.replace("provider: existing", "provider: simulated"), { profile: "standard" }))
      .plan;
    assert.deepEqual(sim.cluster, {
      provider: "simulated",
      name: "acme-platform",
      nodes: 2,
      cpu: "4",
      memory: "8Gi",
      kubeconfigPath: path.join(home, "clusters", "acme-platform", "kubeconfig"),
    });
    const kind = (await resolve(BASE.replace("provider: existing", "provider: kind\n  name: dev-kind"))).plan;
    assert.deepEqual(kind.cluster, {
      provider: "kind",
      name: "dev-kind",
      version: "v1.32.0",
      nodeImage: "kindest/node:v1.32.0",
      portMappings: [80, 443, 8080, 2746, 3000],
      kubeconfigPath: path.join(home, "clusters", "dev-kind", "kubeconfig"),
    });
    const minikube = (await resolve(BASE.replace("provider: existing", "provider: minikube"), { release: "0.1.0" }))
      .plan;
    assert.deepEqual(minikube.cluster, {
      provider: "minikube",
      name: "acme-platform",
      version: "v1.31.4",
      // Fitted to what the plan can request (every allowed feature on) plus headroom, like a
      // simulated node: the profile's 4 CPU / 8 GiB machine size would not hold it.
      cpus: 5,
      memoryMiB: 9216,
      kubeconfigPath: path.join(home, "clusters", "acme-platform", "kubeconfig"),
    });
    const k3s = (
      await resolve(
        BASE.replace(
          "provider: existing",
          "provider: k3s\n  nodes:\n    - { host: 10.0.0.1, role: server }\n    - { host: 10.0.0.2, ssh_key_path: ~/.ssh/id, arch: arm64 }\n",
        ),
      )
    ).plan;
    assert.deepEqual(k3s.cluster, {
      provider: "k3s",
      name: "acme-platform",
      version: "v1.32.1+k3s1",
      binaryPath: path.join(home, "bin", "k3s"),
      nodes: [
        { host: "10.0.0.1", user: "root", port: 22, role: "server", arch: "amd64" },
        { host: "10.0.0.2", user: "root", port: 22, sshKeyPath: "~/.ssh/id", role: "agent", arch: "arm64" },
      ],
      kubeconfigPath: path.join(home, "clusters", "acme-platform", "kubeconfig"),
    });
  });

  it("k3s over SSH: a user other than root and the old install_script_url are refused (cto runs no sudo and no script)", async () => {
    const text = BASE.replace(
      "provider: existing",
      "provider: k3s\n  install_script_url: https://get.k3s.io\n  nodes:\n    - { host: 10.0.0.1, role: server }\n    - { host: 10.0.0.2, user: ubuntu }\n",
    );
    const message = await problems(text);
    assert.match(
      message,
      /cluster\.nodes\[1\]\.user: 10\.0\.0\.2: cto installs k3s over SSH as root and never runs sudo; user ubuntu is not root/,
    );
    assert.match(message, /PermitRootLogin prohibit-password/);
    assert.match(message, /cluster\.install_script_url: cto no longer runs the k3s install script/);
    assert.match(message, /CTO_TOOLS_MIRROR_K3S/);
    assert.doesNotMatch(message, /nodes\[0\]/, "root (the default) is accepted");
  });

  it("GitHub Apps: <org>-<agent> unless a slug is given; ids from either place", async () => {
    const text = BASE.replace(
      "  repository: platform\n",
      "  repository: platform\n  apps:\n    cleo: { slug: acme-quality-bot, id: '7' }\n",
    ).concat("agents:\n  rex: { github_app_id: '5' }\n  cleo: {}\n  off: { enabled: false }\n");
    const { plan, secrets } = await resolve(text);
    assert.deepEqual(plan.github.apps, [
      { agent: "cleo", appId: "7", slug: "acme-quality-bot", appName: "acme-quality-bot" },
      { agent: "rex", appId: "5", appName: "acme-rex" },
    ]);
    assert.deepEqual(
      plan.agents.map((a) => [a.name, a.githubAppId, a.resources]),
      [
        ["cleo", "7", { cpu: "1", memory: "2Gi" }],
        ["rex", "5", { cpu: "1", memory: "2Gi" }],
      ],
    );
    assert.equal(plan.github.webhookUrl, "https://webhooks.acme.example/github");
    assert.deepEqual(plan.secretNames, []);
    assert.deepEqual(secrets, {});
  });

  it("is deterministic: same input, same plan", async () => {
    const a = await resolve(BASE);
    const b = await resolve(BASE);
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify(a.plan), JSON.stringify(b.plan));
  });
});
