/**
 * The PRD's appendix examples (examples/prd-minimal.yaml, examples/prd-production.yaml, copied as
 * written) through the same loader and resolver every command uses, and what the machine adds to
 * a config that does not say: the cluster ($CTO_CLUSTER_PROVIDER, else the profile's default) and
 * a chart mirror ($CTO_CHART_MIRROR).
 */
import { strict as assert } from "node:assert";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../config/errors.js";
import { parseConfigText } from "../../config/load.js";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import { CHART_MIRROR_ENV, CLUSTER_PROVIDER_ENV, resolvePlan } from "../../profiles/resolve.js";
import { repoRoot } from "../helpers/chart-repo.js";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtest\n-----END RSA PRIVATE KEY-----\n";
const MIRROR = "http://127.0.0.1:8879";

describe("the PRD's appendix examples", () => {
  let catalog: Catalog;
  let tmp: string;
  let minimal: string;
  let production: string;
  before(async () => {
    catalog = await loadCatalog();
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-prd-"));
    minimal = await readFile(path.join(repoRoot(), "examples", "prd-minimal.yaml"), "utf8");
    production = await readFile(path.join(repoRoot(), "examples", "prd-production.yaml"), "utf8");
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const resolve = (text: string, env: NodeJS.ProcessEnv = {}) =>
    resolvePlan(
      parseConfigText(text, "cto.yaml", { env }),
      { environment: "dev", home: path.join(tmp, "home"), baseDir: tmp, env: { HOME: tmp, ...env } },
      catalog,
    );
  async function problems(text: string, env: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
    try {
      await resolve(text, env);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error;
    }
    return assert.fail("expected a ConfigError");
  }

  describe("minimal", () => {
    it("is the appendix's text (names no cluster, no chart source)", () => {
      assert.match(minimal, /^profile: minimal$/m);
      assert.doesNotMatch(minimal, /^cluster:|^charts:/m);
    });

    it("gets the laptop cluster a minimal profile defaults to: kind", async () => {
      const { plan } = await resolve(minimal, { [CHART_MIRROR_ENV]: MIRROR });
      assert.equal(plan.cluster.provider, "kind");
      assert.equal(plan.cluster.name, "my-dev-platform");
    });

    it("$CTO_CLUSTER_PROVIDER chooses another cluster; $CTO_CHART_MIRROR serves every chart", async () => {
      const { plan } = await resolve(minimal, { [CLUSTER_PROVIDER_ENV]: "simulated", [CHART_MIRROR_ENV]: MIRROR });
      assert.equal(plan.cluster.provider, "simulated");
      for (const c of plan.components) if (c.chart) assert.equal(c.chart.repository, MIRROR, c.name);
    });

    it("a cluster or mirror the config names wins over the environment", async () => {
      const text = `${minimal}\ncluster:\n  provider: existing\ncharts:\n  default:\n    repository: https://charts.acme.example\n`;
      const { plan } = await resolve(text, { [CLUSTER_PROVIDER_ENV]: "simulated", [CHART_MIRROR_ENV]: MIRROR });
      assert.equal(plan.cluster.provider, "existing");
      assert.equal(plan.components.find((c) => c.name === "argo-cd")?.chart?.repository, "https://charts.acme.example");
    });

    it("a bad $CTO_CLUSTER_PROVIDER or $CTO_CHART_MIRROR is named with its fix", async () => {
      const error = await problems(minimal, { [CLUSTER_PROVIDER_ENV]: "kubernetes", [CHART_MIRROR_ENV]: "ftp://x" });
      const byPath = new Map(error.issues.map((i) => [i.path, i]));
      assert.match(byPath.get("$CTO_CLUSTER_PROVIDER")?.message ?? "", /"kubernetes" is not a cluster provider/);
      assert.match(byPath.get("$CTO_CLUSTER_PROVIDER")?.hint ?? "", /one of k3s, kind, minikube, existing, simulated/);
      assert.match(byPath.get("$CTO_CHART_MIRROR")?.hint ?? "", /https:\/\/, http:\/\/ or oci:\/\//);
    });
  });

  describe("production", () => {
    const appEnv = {
      REX_APP_ID: "101",
      REX_CLIENT_ID: "Iv1.rex",
      CLEO_APP_ID: "102",
      CLEO_CLIENT_ID: "Iv1.cleo",
      TESS_APP_ID: "103",
      TESS_CLIENT_ID: "Iv1.tess",
    };

    it("without its App variables: each missing variable is named with its fix", () => {
      assert.throws(
        () => parseConfigText(production, "cto.yaml", { env: {} }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          const vars = error.issues.map((i) => i.message.match(/variable (\w+) is not set/)?.[1]).sort();
          assert.deepEqual(vars, Object.keys(appEnv).sort());
          return true;
        },
      );
    });

    it("once its key files exist, what remains is facts only the user has, each with the fix", async () => {
      // The appendix's absolute /secrets/<agent>.pem, moved under a temporary directory.
      for (const agent of ["rex", "cleo", "tess"]) await writeFile(path.join(tmp, `${agent}.pem`), PEM);
      const text = production.replaceAll('"/secrets/', `"${tmp}/`);
      const error = await problems(text, { ...appEnv, [CHART_MIRROR_ENV]: MIRROR });
      const paths = error.issues.map((i) => i.path).sort();
      // The backup bucket, the three servers HA runs on, the mail server: nothing cto could choose.
      assert.deepEqual(paths, ["backup.bucket", "cluster.nodes", "mail.smtp_host"]);
      for (const i of error.issues) assert.match(i.hint ?? "", /^set |^list /, `${i.path} has a fix`);
      // The production profile's cluster is k3s on the user's servers.
      assert.match(error.message, /cluster\.nodes has 0 k3s servers/);
    });

    it("with those facts given it resolves", async () => {
      const text = production
        .replaceAll('"/secrets/', `"${tmp}/`)
        .concat(
          [
            "backup:",
            "  provider: aws",
            "  bucket: company-cto-backups",
            "  region: us-west-2",
            "mail:",
            "  smtp_host: smtp.company.com",
            "  from: cto@company.com",
            "cluster:",
            "  nodes:",
            "    - { host: 10.0.0.1, role: server }",
            "    - { host: 10.0.0.2, role: server }",
            "    - { host: 10.0.0.3, role: server }",
            "",
          ].join("\n"),
        );
      const { plan } = await resolve(text, { ...appEnv, [CHART_MIRROR_ENV]: MIRROR });
      assert.equal(plan.cluster.provider, "k3s");
      assert.deepEqual(
        plan.agents.map((a) => a.name),
        ["cleo", "rex", "tess"],
      );
    });
  });
});
