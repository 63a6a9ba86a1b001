import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError, UserError } from "../../config/errors.js";
import { loadConfig, parseConfigText } from "../../config/load.js";
import { redactConfig } from "../../config/redact.js";
import { packageRoot } from "../../config/paths.js";

/** The ConfigError thrown by `fn` (fails the test when nothing or something else is thrown). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail("expected a ConfigError");
}

const VALID = `version: "0.1.0"
platform:
  name: acme-platform
github:
  organization: acme
  repository: platform
`;

describe("config: loading cto.yaml", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-config-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("reports all three mistakes of a file at once, with line:column, path, expected/found and fixes", () => {
    const text = `version: "0.1.0"
profile: minimal
platform:
  name: acme-platform
  namespce: cto
github:
  organization: acme
  repository: platform
registry:
  type: quay
features:
  monitoring: "yes"
`;
    const error = configError(() => parseConfigText(text, "cto.yaml", { env: {} }));
    assert.equal(error.issues.length, 3);
    assert.equal(error.exitCode, 2);
    assert.equal(
      error.message,
      [
        "3 problems found:",
        "  cto.yaml:5:3 platform.namespce: unknown key `namespce`",
        "      fix: did you mean `namespace`?",
        '  cto.yaml:10:9 registry.type: expected one of local, ghcr, ecr, gcr, acr, dockerhub, generic; found "quay"',
        '  cto.yaml:12:15 features.monitoring: expected true or false, found "yes"',
        "      fix: write true or false (YAML 1.2 reads yes/no/on/off as text)",
      ].join("\n"),
    );
  });

  it("a misspelt required key is one problem, not two", () => {
    const text = VALID.replace("organization:", "organisation:");
    const error = configError(() => parseConfigText(text, "cto.yaml", { env: {} }));
    assert.deepEqual(
      error.issues.map((i) => [i.path, i.message, i.hint]),
      [["github.organisation", "unknown key `organisation`", "did you mean `organization`?"]],
    );
  });

  it("a missing required section names what was expected", () => {
    const error = configError(() => parseConfigText(`version: "0.1.0"\nplatform:\n  name: p\n`, "c.yaml", { env: {} }));
    assert.deepEqual(
      error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
      ["1:1 github: is required: expected a mapping, found nothing"],
    );
  });

  it("an unknown key far from any known one lists the allowed keys", () => {
    const error = configError(() => parseConfigText(`${VALID}  zzzzzz: 1\n`, "c.yaml", { env: {} }));
    assert.equal(error.issues[0]?.path, "github.zzzzzz");
    assert.equal(
      error.issues[0]?.hint,
      "allowed keys here: apps, base_url, organization, repository, tunnel, webhook_mode, webhook_secret, webhook_url",
    );
  });

  it("YAML syntax errors carry file:line:column", () => {
    const error = configError(() => parseConfigText(`version: "0.1.0"\nplatform:\n\tname: acme\n`, "bad.yaml", {}));
    assert.equal(
      error.message,
      [
        "1 problem found:",
        "  bad.yaml:3:1 YAML syntax error: Tabs are not allowed as indentation",
        "      fix: check the indentation and quoting on this line and the one before it",
      ].join("\n"),
    );
    const nested = configError(() => parseConfigText(`platform:\n  name: acme\n    bad: 1\n`, "bad.yaml", {}));
    assert.deepEqual(
      nested.issues.map((i) => `${i.line}:${i.column} ${i.message}`),
      [
        "2:9 YAML syntax error: Nested mappings are not allowed in compact mappings (and 1 more after it, often caused by this one)",
      ],
    );
    const flow = configError(() => parseConfigText(`registry: { type: generic, password: \${PW} }\n`, "bad.yaml", {}));
    assert.equal(flow.issues.length, 1);
    assert.equal(flow.issues[0]?.line, 1);
    assert.match(flow.issues[0]?.hint ?? "", /quote values that contain \{ \} \[ \] , or \$\{VAR\}/);
  });

  it("duplicate keys are a syntax error with a fix", () => {
    const error = configError(() => parseConfigText(`${VALID}version: "0.2.0"\n`, "c.yaml", {}));
    assert.equal(error.issues[0]?.line, 7);
    assert.equal(error.issues[0]?.message, "YAML syntax error: Map keys must be unique");
    assert.equal(error.issues[0]?.hint, "each key may appear once per mapping; remove or merge the duplicate");
  });

  it("empty files and non-mappings are refused", () => {
    assert.equal(
      configError(() => parseConfigText("# nothing\n", "c.yaml", {})).issues[0]?.message,
      "is empty; expected a cto.yaml (a YAML mapping)",
    );
    assert.equal(
      configError(() => parseConfigText("- a\n- b\n", "c.yaml", {})).issues[0]?.message,
      "expected a mapping of keys to values at the top level, found a list",
    );
  });

  it("refuses a billion-laughs file quickly (alias expansion is bounded)", () => {
    let text = `${VALID}lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
    for (let i = 1; i < 12; i++) {
      const p = `*l${i - 1}`;
      text += `lol${i}: &l${i} [${Array(9).fill(p).join(", ")}]\n`;
    }
    const started = Date.now();
    const error = configError(() => parseConfigText(text, "bomb.yaml", {}));
    assert.match(error.issues[0]?.message ?? "", /YAML aliases expand beyond the limit of 100/);
    assert.ok(Date.now() - started < 5000, "refused without expanding the document");
  });

  it("accepts ordinary anchors, aliases and merge keys", () => {
    const config = parseConfigText(
      `${VALID}agents:\n  rex: &agent\n    resources: { cpu: 2, memory: 4Gi }\n  cleo:\n    <<: *agent\n    cli: codex\n`,
      "c.yaml",
      {},
    );
    assert.deepEqual(config.agents.cleo?.resources, { cpu: 2, memory: "4Gi" });
    assert.equal(config.agents.cleo?.cli, "codex");
  });

  it("refuses files over 1 MiB", () => {
    const error = configError(() => parseConfigText(`${VALID}#${"x".repeat(1024 * 1024)}\n`, "big.yaml", {}));
    assert.match(
      error.issues[0]?.message ?? "",
      /^is 10486\d\d bytes; a cto.yaml may be at most 1048576 bytes \(1 MiB\)$/,
    );
  });

  it("accepts camelCase keys and normalises them to snake_case", () => {
    const config = parseConfigText(
      `${VALID}  webhookUrl: https://hooks.acme.example/github\n  apps:\n    rex:\n      clientId: Iv1.abc\n      privateKeyPath: /keys/rex.pem\nfeatures:\n  mailNotifications: true\n  highAvailability: false\n`,
      "c.yaml",
      {},
    );
    assert.equal(config.github.webhook_url, "https://hooks.acme.example/github");
    assert.deepEqual(config.github.apps.rex, { client_id: "Iv1.abc", private_key_path: "/keys/rex.pem" });
    assert.deepEqual(config.features, { mail_notifications: true, high_availability: false });
  });

  it("accepts camelCase inside environment overrides too", () => {
    const config = parseConfigText(
      `${VALID}environments:\n  prod:\n    platform: { ingressType: traefik }\n    github: { webhookUrl: "https://hooks.acme.example/prod" }\n`,
      "c.yaml",
      {},
    );
    assert.deepEqual(config.environments.prod, {
      platform: { ingress_type: "traefik" },
      github: { webhook_url: "https://hooks.acme.example/prod" },
    });
  });

  it("refuses github.webhook_mode (removed: one webhook path) with the fix, top level and per environment", () => {
    const error = configError(() =>
      parseConfigText(
        `${VALID}  webhook_mode: organization\nenvironments:\n  prod:\n    github: { webhook_mode: repository }\n`,
        "c.yaml",
        {},
      ),
    );
    const paths = error.issues.map((i) => i.path).sort();
    assert.deepEqual(paths, ["environments.prod.github.webhook_mode", "github.webhook_mode"]);
    for (const issue of error.issues) {
      assert.match(
        issue.message,
        /is no longer used: GitHub events reach the platform only through each agent's GitHub App webhook/,
      );
      assert.match(issue.message, /delete this line/);
      assert.ok(issue.line !== undefined, "located at its line");
    }
  });

  it("does not rename user-chosen names (agent feature flags)", () => {
    const config = parseConfigText(
      `${VALID}agents:\n  rex:\n    features:\n      kubernetesTesting: true\n`,
      "c.yaml",
      {},
    );
    assert.deepEqual(config.agents.rex?.features, { kubernetesTesting: true });
  });

  it("both spellings of one key is an error", () => {
    const error = configError(() =>
      parseConfigText(`${VALID}features:\n  mail_notifications: true\n  mailNotifications: false\n`, "c.yaml", {}),
    );
    assert.deepEqual(
      error.issues.map((i) => [i.line, i.path, i.message, i.hint]),
      [
        [
          9,
          "features.mailNotifications",
          "`mailNotifications` and `mail_notifications` are the same key (camelCase and snake_case spellings)",
          "keep only `mail_notifications`",
        ],
      ],
    );
  });

  it("interpolates ${VAR} and names unset variables with their config path", () => {
    const text = `${VALID}  webhook_secret: \${HOOK_SECRET}\n  apps:\n    rex:\n      id: "\${REX_APP_ID}"\n      client_id: \${REX_CLIENT_ID:-Iv1.default}\n`;
    const config = parseConfigText(text, "c.yaml", { env: { HOOK_SECRET: "0123456789abcdef0123", REX_APP_ID: "42" } });
    assert.equal(config.github.webhook_secret, "0123456789abcdef0123");
    assert.equal(config.github.apps.rex?.id, "42");
    assert.equal(config.github.apps.rex?.client_id, "Iv1.default");

    const error = configError(() => parseConfigText(text, "c.yaml", { env: { HOOK_SECRET: "0123456789abcdef0123" } }));
    assert.equal(
      error.message,
      [
        "1 problem found:",
        "  c.yaml:10:11 github.apps.rex.id: environment variable REX_APP_ID is not set",
        "      fix: set REX_APP_ID, or give a default: ${REX_APP_ID:-value}",
      ].join("\n"),
    );
  });

  it("unquoted interpolations are typed like YAML scalars; quoted ones stay strings", () => {
    const text = `${VALID}  apps:\n    rex:\n      id: \${ID}\nagents:\n  rex:\n    enabled: \${ON}\n    resources:\n      cpu: "\${CPU}"\n`;
    const config = parseConfigText(text, "c.yaml", { env: { ID: "7", ON: "false", CPU: "2" } });
    assert.equal(config.github.apps.rex?.id, "7"); // a number, kept as the id string
    assert.equal(config.agents.rex?.enabled, false);
    assert.equal(config.agents.rex?.resources.cpu, "2");
  });

  it("never echoes a secret value in a message", () => {
    const error = configError(() => parseConfigText(`${VALID}  webhook_secret: hunter2\n`, "c.yaml", {}));
    assert.equal(
      error.issues[0]?.message,
      "must be at least 16 characters; omit it to have one generated; found a value of 7 characters",
    );
    assert.ok(!error.message.includes("hunter2"));
  });

  it("redactConfig replaces present secrets only, without touching the original", () => {
    const config = parseConfigText(
      `${VALID}  webhook_secret: 0123456789abcdef0123\nregistry:\n  type: generic\n  url: registry.acme.example\n  password: s3cret\n`,
      "c.yaml",
      {},
    );
    const redacted = redactConfig(config);
    assert.equal(redacted.github.webhook_secret, "<redacted>");
    assert.equal(redacted.registry.password, "<redacted>");
    assert.equal(redacted.registry.url, "registry.acme.example");
    assert.equal(redacted.mail, undefined);
    assert.equal(config.registry.password, "s3cret");
    assert.ok(!JSON.stringify(redacted).includes("s3cret"));
  });

  it("loadConfig: a missing file is a UserError with a fix", async () => {
    await assert.rejects(loadConfig(path.join(tmp, "nope.yaml")), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, `config file ${path.join(tmp, "nope.yaml")} not found`);
      assert.equal(error.hint, "create one with `cto init`, or pass another file with -f FILE");
      return true;
    });
  });

  it("loadConfig: reads a file and names it in errors", async () => {
    const file = path.join(tmp, "cto.yaml");
    await writeFile(file, VALID.replace("acme-platform", "Acme"));
    await assert.rejects(loadConfig(file, { env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues[0]?.file, file);
      assert.equal(error.issues[0]?.line, 3);
      assert.equal(error.issues[0]?.column, 9);
      return true;
    });
    await writeFile(file, VALID);
    assert.equal((await loadConfig(file, { env: {} })).platform.name, "acme-platform");
  });

  it("the bundled example loads", async () => {
    const config = await loadConfig(path.join(packageRoot(), "examples", "cto.yaml"), { env: {} });
    assert.equal(config.github.organization, "acme");
    assert.equal(config.environments.prod?.production, true);
    assert.equal(config.charts.controller, undefined, "the platform's objects come with cto: no chart to point at");
    assert.equal(config.registry.platform_images, "publisher");
  });
});
