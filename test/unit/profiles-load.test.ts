import { strict as assert } from "node:assert";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../config/errors.js";
import { packageRoot } from "../../config/paths.js";
import { findCycle, loadCatalog, minutes, newest } from "../../profiles/load.js";

describe("profiles: loading the catalog", () => {
  let tmp: string;
  let n = 0;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-profiles-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** A copy of the bundled profiles with one file edited; returns the directory. */
  async function edited(file: string, edit: (text: string) => string): Promise<string> {
    const dir = path.join(tmp, `p${n++}`);
    await cp(path.join(packageRoot(), "profiles"), dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
    const target = path.join(dir, file);
    const before = await readFile(target, "utf8");
    const after = edit(before);
    assert.notEqual(after, before, "the edit changed the file");
    await writeFile(target, after);
    return dir;
  }

  async function issues(dir: string): Promise<string[]> {
    try {
      await loadCatalog(dir);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.issues.map(
        (i) => `${path.basename(i.file)}:${i.line}:${i.column} ${i.path}: ${i.message}${i.hint ? ` | ${i.hint}` : ""}`,
      );
    }
    return assert.fail("expected a ConfigError");
  }

  it("loads the bundled profiles and releases", async () => {
    const catalog = await loadCatalog();
    assert.deepEqual(Object.keys(catalog.profiles).sort(), ["minimal", "production", "standard"]);
    assert.deepEqual(
      Object.values(catalog.profiles).map((p) => [p.name, p.estimatedInstallMinutes]),
      [
        ["minimal", 5],
        ["production", 30],
        ["standard", 15],
      ],
    );
    assert.deepEqual(Object.keys(catalog.releases).sort(), ["0.1.0", "0.2.0", "0.3.0"]);
    assert.equal(catalog.latestRelease, "0.3.0");
    assert.deepEqual(catalog.componentNames, [
      "argo-cd",
      "argo-events",
      "argo-workflows",
      "backup",
      "cert-manager",
      "controller",
      "ingress-nginx",
      "logging",
      "monitoring",
      "postgres-operator",
      "redis-operator",
      "traefik",
    ]);
    // No organisation is baked in: the controller chart has no repository in any release.
    for (const release of Object.values(catalog.releases))
      assert.equal(release.charts.controller?.repository, undefined);
  });

  it("unknown component, with a did-you-mean", async () => {
    const dir = await edited("minimal.yaml", (t) => t.replace("- name: logging", "- name: loging"));
    assert.deepEqual(await issues(dir), [
      "minimal.yaml:64:11 components[5].name: unknown component `loging`: no release in versions.yaml pins a chart for it | did you mean `logging`?",
    ]);
  });

  it("dependency cycle, named", async () => {
    // argo-cd → controller → argo-workflows, closed by giving argo-workflows a dependency on argo-cd.
    const dir = await edited("minimal.yaml", (t) =>
      t
        .replace("dependencies: []", "dependencies: [controller]")
        .replace(/(- name: argo-workflows\n(?: {4}.*\n)*? {4}dependencies: )\[\]/, "$1[argo-cd]"),
    );
    assert.deepEqual(await issues(dir), [
      "minimal.yaml:29:20 components[0].install_order: `argo-cd` installs at 10, not after its dependency `controller` (40) | give `argo-cd` an install_order above 40",
      "minimal.yaml:28:19 components[0].dependencies: dependency cycle: argo-cd → controller → argo-workflows → argo-cd | remove one of these dependencies",
    ]);
  });

  it("missing dependency", async () => {
    const dir = await edited("minimal.yaml", (t) =>
      t.replace(/(- name: logging[\s\S]*?dependencies: )\[\]/, "$1[cert-manager, grafana]"),
    );
    assert.deepEqual(await issues(dir), [
      "minimal.yaml:69:20 components[5].dependencies[0]: `logging` depends on `cert-manager`, which this profile does not list | add `cert-manager` to this profile's components, or remove the dependency",
      "minimal.yaml:69:34 components[5].dependencies[1]: `logging` depends on unknown component `grafana` | components of this profile: argo-cd, argo-events, argo-workflows, controller, ingress-nginx, logging, monitoring, postgres-operator, redis-operator, traefik",
    ]);
  });

  it("schema errors in a profile are located, with did-you-mean", async () => {
    const dir = await edited("standard.yaml", (t) =>
      t.replace("category: core", "category: cor").replace("install_order: 20", "instal_order: 20"),
    );
    assert.deepEqual(await issues(dir), [
      'standard.yaml:24:15 components[0].category: expected one of core, orchestration, monitoring, database, security, optional; found "cor" | did you mean `core`?',
      // The misspelt key is one problem: no separate "install_order is required".
      "standard.yaml:35:5 components[1].instal_order: unknown key `instal_order` | did you mean `install_order`?",
    ]);
  });

  it("a release that does not pin every component", async () => {
    const dir = await edited("versions.yaml", (t) => t.replace(/\n {6}backup: .*velero, version: 8\.1\.0 \}/, ""));
    assert.deepEqual(await issues(dir), [
      "versions.yaml:45:7 releases.0.1.0.charts: release 0.1.0 pins no chart for `backup` | every release pins every component's chart; add the missing entries",
    ]);
  });

  it("a profile whose name is not its file's", async () => {
    const dir = await edited("production.yaml", (t) => t.replace("name: production", "name: prod"));
    assert.deepEqual(await issues(dir), [
      'production.yaml:3:7 name: is "prod" but the file is production.yaml | name the profile "production" or rename the file',
    ]);
  });

  it("a default feature the profile does not allow", async () => {
    const dir = await edited("minimal.yaml", (t) => t.replace("  backup: false", "  backup: true"));
    assert.deepEqual(await issues(dir), [
      "minimal.yaml:11:11 features.backup: is on by default but not among allowed_features | add backup to allowed_features or turn it off",
    ]);
  });

  it("findCycle", () => {
    assert.equal(
      findCycle([
        { name: "a", dependencies: ["b"] },
        { name: "b", dependencies: [] },
      ]),
      undefined,
    );
    assert.deepEqual(findCycle([{ name: "a", dependencies: ["a"] }]), ["a", "a"]);
    assert.deepEqual(
      findCycle([
        { name: "x", dependencies: [] },
        { name: "a", dependencies: ["b"] },
        { name: "b", dependencies: ["c"] },
        { name: "c", dependencies: ["a"] },
      ]),
      ["a", "b", "c", "a"],
    );
  });

  it("durations and release ordering", () => {
    assert.equal(minutes("5m"), 5);
    assert.equal(minutes("1h30m"), 90);
    assert.equal(newest(["0.2.0", "0.10.0", "0.9.1"]), "0.10.0");
  });
});
