/**
 * The shell of `cto`: help that teaches, version, usage errors, and the read-only catalogue
 * commands (profiles, version), all through the built binary.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../config/paths.js";
import { Sandbox } from "../helpers/cli.js";

const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };

describe("cto shell", function () {
  this.timeout(60_000);
  let box: Sandbox;
  before(() => (box = new Sandbox()));
  after(() => box.remove());

  it("--help lists every command with a non-interactive example each", async () => {
    const r = await box.run(["--help"]);
    assert.equal(r.code, 0, r.stderr);
    const commands = [...r.stdout.matchAll(/^ {2}([a-z-]+)(?: \[options\]| <[A-Z]+>)*\s/gm)]
      .map((m) => m[1])
      .filter((c) => c !== "help");
    for (const c of ["init", "config", "profiles", "render", "doctor", "version"]) assert.ok(commands.includes(c), c);
    assert.equal(commands[0], "init");
    const examples = r.stdout.slice(r.stdout.indexOf("Examples (each runs without prompts):"));
    for (const c of commands) assert.match(examples, new RegExp(`^ {2}\\$ cto ${c}\\b`, "m"), `no example for ${c}`);
    assert.match(examples, /cto init --yes /);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 failure, 2 bad input or usage/);
  });

  it("with no arguments shows the help and exits 0", async () => {
    const r = await box.run([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: cto \[options\] \[command\]/);
  });

  it("--version prints the package version", async () => {
    const r = await box.run(["--version"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), manifest.version);
  });

  it("an unknown command or option is a usage error: exit 2 with a suggestion", async () => {
    const cmd = await box.run(["doctr"]);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command 'doctr'/);
    assert.match(cmd.stderr, /Did you mean 'cto doctor'\?/);
    // Nothing close by spelling: the nearest by job (install is up's alias), never a destructive guess.
    const deploy = await box.run(["deploy"]);
    assert.equal(deploy.code, 2);
    assert.match(deploy.stderr, /unknown command 'deploy'\. Did you mean 'cto up'\?/);
    const sub = await box.run(["config", "valdate"]);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /Did you mean 'cto config validate'\?/);
    const group = await box.run(["config"]);
    assert.equal(group.code, 2);
    assert.match(group.stderr, /^Usage: cto config \[options\] \[command\]/m);
    const opt = await box.run(["doctor", "--jsn"]);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /unknown option '--jsn'/);
  });

  it("install and uninstall are the PRD's names for up and destroy", async () => {
    const install = await box.run(["install", "--help"]);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout, /^Usage: cto up\|install \[options\]/m);
    const uninstall = await box.run(["uninstall", "--help"]);
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.match(uninstall.stdout, /^Usage: cto destroy\|uninstall \[options\]/m);
    // The alias runs the command itself: without a terminal it asks for --yes, as up does.
    const run = await box.run(["install"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cto up changes the cluster and there is no terminal to confirm on/);
  });

  it("an unexpected error prints its stack and says it is a bug, exit 1", async () => {
    // A package root without package.json is not something a user command can cause.
    const r = await box.run(["--version"], { env: { CTO_PACKAGE_ROOT: box.root } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Error: ENOENT/m);
    assert.match(r.stderr, /^\s+at /m);
    assert.match(r.stderr, /^this is a bug in cto: please report it/m);
  });

  it("version shows cto, the pinned Pulumi CLI and a chart version per component and release", async () => {
    const text = await box.run(["version"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^cto ${manifest.version.replace(/\./g, "\\.")} \\(Node\\.js `, "m"));
    assert.match(text.stdout, /^Pulumi CLI 3\.276\.0 \(pinned\)$/m);
    assert.match(text.stdout, /^argo-cd\s+argo-cd\s+\S+/m);

    const json = await box.run(["version", "--json"]);
    const info = JSON.parse(json.stdout);
    assert.equal(info.cto, manifest.version);
    assert.equal(info.pulumi.cli, "3.276.0");
    assert.equal(info.pulumi.sdk["@pulumi/pulumi"], "3.276.0");
    assert.ok(info.releases[info.latestRelease], "latest release listed");
    const components = Object.keys(info.releases[info.latestRelease].charts);
    for (const c of ["argo-cd", "argo-workflows", "argo-events"]) assert.ok(components.includes(c), c);
    const images = info.releases[info.latestRelease].images as Record<string, string>;
    assert.deepEqual(Object.keys(images), ["agent-claude", "agent-codex", "controller"]);
    for (const ref of Object.values(images)) assert.match(ref, /^[a-z0-9.-]+\/[a-z0-9/._-]+:[A-Za-z0-9._-]+$/);
    for (const ref of Object.values(images)) assert.doesNotMatch(ref, /:latest$/);
    assert.match(text.stdout, /^controller\s+\S+\/controller:v\S+/m);
  });

  it("profiles list and show describe requirements, install time and components", async () => {
    const list = await box.run(["profiles", "list"]);
    assert.equal(list.code, 0, list.stderr);
    // Figures computed from the plans (every allowed feature, default agents, kind's own share).
    assert.match(list.stdout, /^minimal\s+12 GiB\s+6\s+31 GiB\s+~\d+ min/m);
    assert.match(list.stdout, /^standard\s+22 GiB\s+12\s/m);
    assert.match(list.stdout, /^production\s+30 GiB\s+16\s/m);
    assert.match(list.stdout, /cto doctor checks the same figure/);

    const show = await box.run(["profiles", "show", "standard", "--json"]);
    const profile = JSON.parse(show.stdout);
    assert.equal(profile.name, "standard");
    assert.deepEqual(profile.requirements, { memoryGiB: 22, cpu: 12, diskGiB: 37, clusterKind: "kind" });
    assert.deepEqual(Object.keys(profile.requirementsByClusterKind), ["kind", "k3s", "minikube", "simulated"]);
    const dependencies = (name: string) =>
      profile.components.find((c: { name: string }) => c.name === name).dependencies;
    assert.deepEqual(dependencies("controller"), ["argo-workflows", "argo-events"]);
    assert.deepEqual(dependencies("argo-workflows"), []);

    const typo = await box.run(["profiles", "show", "standrd"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^error: no profile named 'standrd'$/m);
    assert.match(typo.stderr, /^fix: did you mean `standard`\?$/m);
  });
});
