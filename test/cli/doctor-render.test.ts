/**
 * `cto doctor --json` (the report's shape and the exit code that follows it) and `cto render`
 * (files written, deterministic, secrets as references only) on the built binary.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Sandbox } from "../helpers/cli.js";

const CONFIG = `version: "0.1.0"
profile: minimal
platform:
  name: acme-platform
  domain: agents.acme.example
github:
  organization: acme
  repository: platform
registry:
  type: generic
  url: registry.acme.example
  namespace: platform
  username: acme-bot
  password: \${ACME_REGISTRY_PASSWORD}
cluster:
  provider: kind
agents:
  rex:
    enabled: true
  cleo:
    enabled: true
environments:
  dev: {}
`;
const SECRETS = { ACME_REGISTRY_PASSWORD: "hunter2-registry-pass" };

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("cto doctor and cto render", function () {
  this.timeout(120_000);
  let box: Sandbox;
  beforeEach(() => {
    box = new Sandbox();
    writeFileSync(join(box.cwd, "cto.yaml"), CONFIG);
  });
  afterEach(() => box.remove());

  it("doctor --json prints a schemaVersion 1 report whose verdict decides the exit code", async () => {
    const r = await box.run(["doctor", "--json"], { env: SECRETS });
    assert.equal(r.stderr, "");
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report).sort(), [
      "checks",
      "environment",
      "ok",
      "profile",
      "provider",
      "schemaVersion",
      "summary",
    ]);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.environment, "dev");
    assert.equal(report.profile, "minimal");
    assert.equal(report.provider, "kind");
    assert.deepEqual(Object.keys(report.summary).sort(), ["criticalFailures", "failed", "ok", "skipped", "warnings"]);
    assert.ok(report.checks.length > 5);
    for (const c of report.checks) {
      assert.equal(typeof c.id, "string");
      assert.equal(typeof c.name, "string");
      assert.equal(typeof c.critical, "boolean");
      assert.ok(["ok", "fail", "warn", "skip"].includes(c.status), c.status);
      assert.equal(typeof c.reason, "string");
      if (c.status === "fail" || c.status === "warn") assert.equal(typeof c.fix, "string", `${c.id} has no fix`);
    }
    const ids = report.checks.map((c: { id: string }) => c.id);
    for (const id of ["tool.node", "tool.docker", "tool.kind", "machine.memory", "host.ports", "state.backend"]) {
      assert.ok(ids.includes(id), `missing check ${id} in ${ids.join(", ")}`);
    }
    const critical = report.checks.filter(
      (c: { status: string; critical: boolean }) => c.status === "fail" && c.critical,
    );
    assert.equal(report.summary.criticalFailures, critical.length);
    assert.equal(report.ok, critical.length === 0);
    assert.equal(r.code, report.ok ? 0 : 1);
    // The sandbox's HOME has no Pulumi CLI and PATH has none of the pinned version installed by us:
    // the Pulumi check cannot be ok unless a pulumi is on PATH.
    assert.ok(ids.includes("tool.pulumi"));
  });

  it("doctor --profile and --env change what is checked; the table marks each line", async () => {
    const json = await box.run(["doctor", "--json", "--profile", "standard"], { env: SECRETS });
    const report = JSON.parse(json.stdout);
    assert.equal(report.profile, "standard");
    const memory = report.checks.find((c: { id: string }) => c.id === "machine.memory");
    // This plan's own figure (its agents, every allowed feature): never above what cto profiles
    // states for standard on kind with the default agents, which this config does not exceed.
    const stated = JSON.parse((await box.run(["profiles", "show", "standard", "--json"])).stdout);
    const need = /the standard profile on kind needs (\d+) GiB$/.exec(memory.reason);
    assert.ok(need, memory.reason);
    assert.ok(Number(need[1]) <= stated.requirements.memoryGiB, `${need[1]} > ${stated.requirements.memoryGiB}`);
    assert.equal(memory.details.requiredGiB, Number(need[1]));

    const table = await box.run(["doctor"], { env: SECRETS });
    assert.match(table.stdout, /^Checks for environment dev, profile minimal, cluster provider kind:$/m);
    assert.match(table.stdout, /^ {2}[✓✗!-] {2}Node\.js/m);
    assert.match(table.stdout, /Ready for cto up\.|cto up refuses to start until the ✗ lines are fixed/);
    assert.equal(table.code, JSON.parse((await box.run(["doctor", "--json"], { env: SECRETS })).stdout).ok ? 0 : 1);

    const unknown = await box.run(["doctor", "--env", "qa"], { env: SECRETS });
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, "");
    assert.match(unknown.stderr, /environment `qa` is not defined/);
  });

  it("doctor --fix --json adds what it fixed or could not fix, one entry per failed or warned check", async () => {
    const r = await box.run(["doctor", "--fix", "--json"], { env: SECRETS });
    const report = JSON.parse(r.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.ok(Array.isArray(report.fixes), "fixes missing");
    const needing = report.checks.filter((c: { status: string }) => c.status === "fail" || c.status === "warn");
    const fixed = new Set(
      report.fixes.filter((f: { outcome: string }) => f.outcome === "installed").map((f: { id: string }) => f.id),
    );
    // Checks fixed by cto pass on the re-check; every other failure is listed as an instruction.
    for (const c of needing) {
      assert.ok(!fixed.has(c.id), `${c.id} was installed but still fails`);
      const entry = report.fixes.find((f: { id: string }) => f.id === c.id);
      assert.ok(entry, `no fix entry for ${c.id}`);
      assert.ok(["manual", "failed"].includes(entry.outcome));
    }
    for (const f of report.fixes) assert.ok(["installed", "manual", "failed"].includes(f.outcome), f.outcome);
    assert.equal(r.code, report.ok ? 0 : 1);
  });

  it("render writes one file per component, byte-identical on a second run, secrets as references", async () => {
    const out = join(box.root, "gitops");
    const first = await box.run(["render", "--env", "dev", "--out", out], { env: SECRETS });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Rendered acme-platform\/dev \(minimal, helm-values\) into /m);
    const written = files(out);
    for (const f of [
      "argo-cd.values.yaml",
      "cto-config.json",
      "platform/deployment-cto-controller.yaml",
      "platform/eventsource-cto-github.yaml",
      "README.md",
      "github-apps/rex.json",
    ]) {
      assert.ok(written.includes(f), `${f} not in ${written.join(", ")}`);
    }
    const contents = Object.fromEntries(written.map((f) => [f, readFileSync(join(out, f), "utf8")]));
    for (const text of Object.values(contents)) {
      for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), "a secret value was rendered");
    }

    const second = await box.run(["render", "--env", "dev", "--out", out], { env: SECRETS });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /0 written, \d+ unchanged, 0 removed\./);
    for (const f of written) assert.equal(readFileSync(join(out, f), "utf8"), contents[f], `${f} changed`);

    const manifests = await box.run(["render", "--out", join(box.root, "m"), "--format", "manifests"], {
      env: SECRETS,
    });
    assert.equal(manifests.code, 0, manifests.stderr);
    assert.ok(files(join(box.root, "m")).some((f) => f.startsWith("external-secrets/")));
  });

  it("render rejects an unknown format with exit 2 and writes nothing", async () => {
    const out = join(box.root, "nothing");
    const r = await box.run(["render", "--out", out, "--format", "kustomize"], { env: SECRETS });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: --format kustomize is not a render format$/m);
    assert.match(r.stderr, /^fix: use one of: helm-values, manifests$/m);
    assert.throws(() => readdirSync(out));
  });
});
