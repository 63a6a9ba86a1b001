/**
 * `cto init` without a terminal: flags, --yes, CI, missing flags, bad flags, and never clobbering
 * an existing file. The wizard with a real terminal is in init-wizard.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Sandbox } from "../helpers/cli.js";

describe("cto init (no terminal)", function () {
  this.timeout(60_000);
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox()));
  afterEach(() => box.remove());

  it("writes a commented cto.yaml from flags with --yes that validates", async () => {
    const r = await box.run([
      "init",
      "--yes",
      "--profile",
      "minimal",
      "--org",
      "acme",
      "--repo",
      "platform",
      "--name",
      "acme-dev",
      "--domain",
      "agents.acme.example",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(box.cwd, "cto.yaml");
    assert.match(r.stdout, /Wrote .*cto\.yaml \(platform acme-dev, minimal profile, kind cluster, agents rex\)/);
    const text = readFileSync(file, "utf8");
    assert.match(text, /^# cto\.yaml: what `cto` installs/m);
    assert.match(text, /^# Installation profile: minimal/m);
    const doc = parse(text);
    assert.equal(doc.version, "0.1.0");
    assert.equal(doc.profile, "minimal");
    assert.deepEqual(doc.platform, { name: "acme-dev", domain: "agents.acme.example", namespace: "cto" });
    assert.deepEqual(doc.github, { organization: "acme", repository: "platform" });
    assert.deepEqual(doc.agents, { rex: { enabled: true } });
    assert.equal(statSync(file).mode & 0o777, 0o644);
    // No temporary file is left behind.
    assert.deepEqual(readdirSync(box.cwd), ["cto.yaml"]);

    const validate = await box.run(["config", "validate"]);
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout, /is valid/);
  });

  it("takes defaults without a terminal and names only the flags that have none, exit 2, nothing written", async () => {
    const r = await box.run(["init"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^error: cto init cannot prompt here and these answers are missing: --org ORG --repo REPO$/m,
    );
    assert.match(r.stderr, /^fix: pass them as flags, e.g. cto init --yes --org acme --repo platform$/m);
    assert.equal(existsSync(join(box.cwd, "cto.yaml")), false);
  });

  it("never prompts with CI=true either", async () => {
    const r = await box.run(["init", "--org", "acme"], { env: { CI: "true" } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing: --repo REPO$/m);
  });

  it("writes registry credentials as ${VAR} references, never values, and says which to set", async () => {
    const r = await box.run(
      ["init", "--yes", "--org", "acme", "--repo", "platform", "--registry", "ghcr", "--agents", "rex,cleo"],
      { env: { CTO_REGISTRY_PASSWORD: "s3cr3t-value" } },
    );
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(box.cwd, "cto.yaml"), "utf8");
    assert.doesNotMatch(text, /s3cr3t-value/);
    const doc = parse(text);
    assert.deepEqual(doc.registry, {
      type: "ghcr",
      url: "ghcr.io",
      namespace: "acme",
      username: "${CTO_REGISTRY_USERNAME}",
      password: "${CTO_REGISTRY_PASSWORD}",
    });
    assert.deepEqual(Object.keys(doc.agents), ["rex", "cleo"]);
    assert.match(r.stdout, /set CTO_REGISTRY_USERNAME in the environment before cto up/);
  });

  it("reports every bad flag at once with exit 2 and writes nothing", async () => {
    const r = await box.run([
      "init",
      "--yes",
      "--org",
      "acme org",
      "--repo",
      "platform",
      "--profile",
      "huge",
      "--registry-url",
      "ghcr.io",
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: bad options:$/m);
    assert.match(r.stderr, /--org "acme org": must be a GitHub login/);
    assert.match(r.stderr, /--profile "huge": must be one of: minimal, standard, production/);
    assert.match(r.stderr, /--registry-url is only used with --registry other than local/);
    assert.equal(existsSync(join(box.cwd, "cto.yaml")), false);
  });

  it("does not overwrite an existing cto.yaml without --force, and does with it", async () => {
    const file = join(box.cwd, "cto.yaml");
    writeFileSync(file, "# mine\n");
    const refused = await box.run(["init", "--yes", "--org", "acme", "--repo", "platform"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cto\.yaml exists; cto init does not overwrite it/);
    assert.match(refused.stderr, /^fix: pass --force to replace it/m);
    assert.equal(readFileSync(file, "utf8"), "# mine\n");

    const forced = await box.run(["init", "--yes", "--force", "--org", "acme", "--repo", "platform"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(parse(readFileSync(file, "utf8")).github.organization, "acme");
  });

  it("says what the production profile still needs that the wizard does not ask, and config validate agrees", async () => {
    const r = await box.run([
      "init",
      "--yes",
      "--profile",
      "production",
      "--org",
      "acme",
      "--repo",
      "p",
      "--provider",
      "existing",
      "--domain",
      "agents.acme.example",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}before cto up, fix backup\.bucket: .*; fix: set backup\.bucket/m);
    assert.match(readFileSync(join(box.cwd, "cto.yaml"), "utf8"), /^# backup:\n# {3}bucket: acme-backups$/m);
    const validate = await box.run(["config", "validate"]);
    assert.equal(validate.code, 2);
    assert.match(validate.stderr, /backup\.bucket/);
  });

  it("refuses a -f path in a directory that does not exist, exit 2", async () => {
    const r = await box.run(["init", "--yes", "--org", "acme", "--repo", "p", "-f", "no/such/cto.yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: cannot write .*no\/such\/cto\.yaml: the directory .*no\/such does not exist$/m);
  });

  it("writes another file with -f and exactly the features given by --features", async () => {
    const r = await box.run([
      "init",
      "--yes",
      "--org",
      "acme",
      "--repo",
      "platform",
      "--profile",
      "standard",
      "--features",
      "monitoring,databases",
      "-f",
      "staging.yaml",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(readFileSync(join(box.cwd, "staging.yaml"), "utf8"));
    assert.deepEqual(doc.agents, { rex: { enabled: true }, cleo: { enabled: true }, tess: { enabled: true } });
    assert.equal(doc.features.monitoring, true);
    assert.equal(doc.features.databases, true);
    assert.equal(doc.features.backup, false);
    assert.equal(doc.charts, undefined, "no chart needs a repository: the platform's objects come with cto");

    const bad = await box.run(["init", "--yes", "--org", "acme", "--repo", "x", "--features", "monitoring,telepathy"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--features: unknown feature 'telepathy'/);
  });
});
