import { strict as assert } from "node:assert";
import path from "node:path";
import { ConfigError } from "../../config/errors.js";
import { loadConfig, parseConfigText } from "../../config/load.js";
import { packageRoot } from "../../config/paths.js";
import { ctoConfigSchema, environmentSchema } from "../../config/schema.js";

const PRD_ENV = {
  REX_APP_ID: "101",
  REX_CLIENT_ID: "Iv1.rex",
  CLEO_APP_ID: "102",
  CLEO_CLIENT_ID: "Iv1.cleo",
  TESS_APP_ID: "103",
  TESS_CLIENT_ID: "Iv1.tess",
};
const example = (name: string) => path.join(packageRoot(), "examples", name);

describe("config schema", () => {
  it("the PRD's minimal example loads exactly as written, with defaults filled in", async () => {
    const config = await loadConfig(example("prd-minimal.yaml"), { env: {} });
    assert.equal(config.version, "0.1.0");
    assert.equal(config.profile, "minimal");
    assert.deepEqual(config.platform, { name: "my-dev-platform", namespace: "cto", ingress_type: "nginx" });
    assert.equal(config.github.organization, "myusername");
    assert.equal(config.github.repository, "test-repo");
    assert.deepEqual(config.github.apps, {});
    assert.deepEqual(config.registry, { type: "local", platform_images: "publisher" });
    assert.deepEqual(config.agents, { rex: { enabled: true, resources: {}, features: {} } });
    assert.deepEqual(config.features, { monitoring: false, databases: false });
  });

  it("the PRD's production example loads exactly as written (snake_case, ${VAR}s set)", async () => {
    const config = await loadConfig(example("prd-production.yaml"), { env: PRD_ENV });
    assert.equal(config.platform.domain, "agents.company.com");
    assert.deepEqual(config.github.apps.cleo, {
      id: "102",
      client_id: "Iv1.cleo",
      private_key_path: "/secrets/cleo.pem",
    });
    assert.deepEqual(config.registry, {
      type: "ecr",
      url: "xxx.dkr.ecr.us-west-2.amazonaws.com",
      namespace: "company",
      platform_images: "publisher",
    });
    assert.deepEqual(config.agents.rex?.resources, { cpu: 4, memory: "8Gi" });
    assert.deepEqual(config.agents.tess?.features, { kubernetes_testing: true });
    assert.deepEqual(config.features, {
      monitoring: true,
      databases: true,
      mail_notifications: true,
      backup: true,
      high_availability: true,
    });
  });

  it("the PRD's production example without its variables names all six", async () => {
    await assert.rejects(loadConfig(example("prd-production.yaml"), { env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(
        error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
        [
          "15:11 github.apps.rex.id: environment variable REX_APP_ID is not set",
          "16:18 github.apps.rex.client_id: environment variable REX_CLIENT_ID is not set",
          "19:11 github.apps.cleo.id: environment variable CLEO_APP_ID is not set",
          "20:18 github.apps.cleo.client_id: environment variable CLEO_CLIENT_ID is not set",
          "23:11 github.apps.tess.id: environment variable TESS_APP_ID is not set",
          "24:18 github.apps.tess.client_id: environment variable TESS_CLIENT_ID is not set",
        ],
      );
      return true;
    });
  });

  const invalid: Array<[string, string, string[]]> = [
    [
      "platform name that is not a DNS label",
      "platform:\n  name: My Platform\n",
      [
        "platform.name: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters; found \"My Platform\"",
      ],
    ],
    [
      "registry url with a scheme",
      "registry:\n  type: generic\n  url: https://registry.acme.example\n",
      [
        'registry.url: must be a registry host such as ghcr.io or registry.example.com:5000, without a scheme; found "https://registry.acme.example"',
      ],
    ],
    [
      "agent cpu of the wrong type",
      "agents:\n  rex:\n    resources:\n      cpu: [1]\n",
      ["agents.rex.resources.cpu: expected a number or a string, found a list"],
    ],
    [
      "agent name that is not a DNS label",
      "agents:\n  Rex_1:\n    enabled: true\n",
      [
        "agents.Rex_1: `Rex_1` is not a valid name: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
      ],
    ],
    [
      "cluster node port out of range",
      "cluster:\n  provider: k3s\n  nodes:\n    - host: 10.0.0.1\n      port: 70000\n",
      ["cluster.nodes[0].port: must be at most 65535; found the number 70000"],
    ],
    [
      "key path with shell metacharacters",
      "github:\n  organization: acme\n  repository: platform\n  apps:\n    rex:\n      private_key_path: /keys/$(id).pem\n",
      [
        'github.apps.rex.private_key_path: must be a plain file path without shell metacharacters, quotes or newlines; found "/keys/$(id).pem"',
      ],
    ],
    [
      "cluster provider misspelt",
      "cluster:\n  provider: kindd\n",
      ['cluster.provider: expected one of k3s, kind, minikube, existing, simulated; found "kindd"'],
    ],
  ];
  const base = (extra: string) => {
    let text = `version: "0.1.0"\nplatform:\n  name: acme-platform\ngithub:\n  organization: acme\n  repository: platform\n`;
    // A section in `extra` replaces the base's section of the same name.
    for (const section of ["platform", "github"]) {
      if (extra.startsWith(`${section}:`)) text = text.replace(new RegExp(`${section}:\\n(  .*\\n)+`), "");
    }
    return text + extra;
  };
  for (const [name, extra, expected] of invalid) {
    it(`rejects ${name}`, () => {
      try {
        parseConfigText(base(extra), "c.yaml", { env: {} });
        assert.fail("expected a ConfigError");
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        assert.deepEqual(
          error.issues.map((i) => `${i.path}: ${i.message}`),
          expected,
        );
      }
    });
  }

  it("environment overrides carry no defaults (an override of one field keeps its siblings)", () => {
    const parsed = environmentSchema.parse({
      platform: { domain: "staging.acme.example" },
      agents: { rex: { cli: "codex" } },
    });
    assert.deepEqual(parsed.platform, { domain: "staging.acme.example" });
    assert.deepEqual(parsed.agents?.rex, { cli: "codex" });
  });

  it("app ids may be written as YAML numbers and are kept as strings", () => {
    const parsed = ctoConfigSchema.parse({
      version: "0.1.0",
      platform: { name: "p" },
      github: { organization: "acme", repository: "r", apps: { rex: { id: 12345 } } },
      agents: { rex: { github_app_id: "12345" } },
    });
    assert.equal(parsed.github.apps.rex?.id, "12345");
    assert.equal(parsed.agents.rex?.github_app_id, "12345");
  });
});
