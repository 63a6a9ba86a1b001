/**
 * `cto config validate` and `cto config show` on the built binary: every problem reported at
 * once with file:line and path, exit 2; secrets never printed.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Sandbox } from "../helpers/cli.js";

const GOOD = `version: "0.1.0"
profile: minimal
platform:
  name: acme-platform
  domain: agents.acme.example
github:
  organization: acme
  repository: platform
  webhook_secret: \${ACME_WEBHOOK_SECRET}
registry:
  type: ghcr
  url: ghcr.io
  namespace: acme
  username: acme-bot
  password: \${ACME_REGISTRY_PASSWORD}
agents:
  rex:
    enabled: true
environments:
  dev: {}
  prod:
    production: true
    profile: standard
`;

const THREE_MISTAKES = `version: "0.1.0"
profile: minimal
platform:
  name: Acme Platform
  namespce: cto
github:
  organization: acme
  repository: platform
registry:
  type: quay
`;

const SECRETS = { ACME_WEBHOOK_SECRET: "whsec-0123456789abcdef", ACME_REGISTRY_PASSWORD: "hunter2-registry-pass" };

describe("cto config", function () {
  this.timeout(60_000);
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox()));
  afterEach(() => box.remove());

  it("validate reports all three mistakes with line, path and fix, exit 2", async () => {
    writeFileSync(join(box.cwd, "bad.yaml"), THREE_MISTAKES);
    const r = await box.run(["config", "validate", "-f", "bad.yaml"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error: 3 problems found:$/m);
    assert.match(r.stderr, /bad\.yaml:4:9 platform\.name: must be a DNS-1123 label.*found "Acme Platform"/);
    assert.match(
      r.stderr,
      /bad\.yaml:5:3 platform\.namespce: unknown key `namespce`\n\s+fix: did you mean `namespace`\?/,
    );
    assert.match(r.stderr, /bad\.yaml:10:9 registry\.type: expected one of local, ghcr.*found "quay"/);
  });

  it("validate accepts a good file and resolves every environment", async () => {
    writeFileSync(join(box.cwd, "cto.yaml"), GOOD);
    const r = await box.run(["config", "validate"], { env: SECRETS });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^✓ .*cto\.yaml is valid$/m);
    assert.match(r.stdout, /environments dev, prod/);
  });

  it("validate resolves every environment and names the ones each problem is in", async () => {
    // The top-level profile is wrong for dev and staging (prod sets its own); qa has its own mistake.
    const broken = GOOD.replace("profile: minimal\n", "profile: huge\n").replace(
      "environments:\n",
      "environments:\n  staging: {}\n  qa:\n    profile: tiny\n",
    );
    writeFileSync(join(box.cwd, "cto.yaml"), broken);
    const r = await box.run(["config", "validate"], { env: SECRETS });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: 2 problems found:$/m);
    assert.match(r.stderr, /cto\.yaml profile: unknown profile `huge` \(environments staging, dev\)$/m);
    assert.match(r.stderr, /environments\.qa\.profile: unknown profile `tiny`$/m);
  });

  it("validate names an unset variable and its config path, exit 2", async () => {
    writeFileSync(join(box.cwd, "cto.yaml"), GOOD);
    const r = await box.run(["config", "validate"], { env: { ACME_WEBHOOK_SECRET: SECRETS.ACME_WEBHOOK_SECRET } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /registry\.password/);
    assert.match(r.stderr, /ACME_REGISTRY_PASSWORD/);
  });

  it("validate without a file says how to make one, exit 2", async () => {
    const r = await box.run(["config", "validate"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: .*cto\.yaml: no such file$/m);
    assert.match(r.stderr, /^fix: run `cto init`/m);
  });

  it("show prints the config with defaults and secrets redacted, as YAML or JSON", async () => {
    writeFileSync(join(box.cwd, "cto.yaml"), GOOD);
    const yaml = await box.run(["config", "show"], { env: SECRETS });
    assert.equal(yaml.code, 0, yaml.stderr);
    for (const secret of Object.values(SECRETS)) assert.ok(!yaml.stdout.includes(secret), "secret printed");
    const shown = parse(yaml.stdout);
    assert.equal(shown.registry.password, "<redacted>");
    assert.equal(shown.github.webhook_secret, "<redacted>");
    // Still accepted, but unused since each App has its own webhook secret: the plan says so.
    const resolved = await box.run(["config", "show", "--resolved"], { env: SECRETS });
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(
      resolved.stderr,
      /^warning: .*cto\.yaml: github\.webhook_secret is no longer used: each agent's GitHub App has its own webhook secret \(github\.apps\.<agent>\.webhook_secret, docs\/github\.md\); delete this line$/m,
    );
    assert.ok(!resolved.stderr.includes(SECRETS.ACME_WEBHOOK_SECRET), "the warning shows no value");
    assert.equal(shown.registry.username, "acme-bot");
    assert.equal(shown.platform.namespace, "cto", "defaults are filled in");

    const json = await box.run(["config", "show", "--output", "json"], { env: SECRETS });
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), shown);
  });

  it("show --resolved prints the plan of the environment, without secret values", async () => {
    writeFileSync(join(box.cwd, "cto.yaml"), GOOD);
    const r = await box.run(["config", "show", "--resolved", "--env", "prod", "--output", "json"], { env: SECRETS });
    assert.equal(r.code, 0, r.stderr);
    for (const secret of Object.values(SECRETS)) assert.ok(!r.stdout.includes(secret), "secret printed");
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.environment, "prod");
    assert.equal(plan.production, true);
    assert.equal(plan.profile.name, "standard");
    assert.ok(plan.secretNames.includes("registry.password"));
  });

  it("show rejects an unknown output format and --env without --resolved, exit 2", async () => {
    writeFileSync(join(box.cwd, "cto.yaml"), GOOD);
    const format = await box.run(["config", "show", "--output", "toml"], { env: SECRETS });
    assert.equal(format.code, 2);
    assert.match(format.stderr, /^error: --output toml is not an output format$/m);
    const env = await box.run(["config", "show", "--env", "prod"], { env: SECRETS });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^fix: add --resolved/m);
  });
});
