/**
 * `cto doctor --fix` installing the tools a plan needs from release hosts, here a local server
 * reached through CTO_TOOLS_MIRROR that serves generated archives with digests pinned for the test
 * (test/helpers/tool-server.ts). The plan uses minikube, so the missing tools are the Pulumi CLI,
 * its kubernetes plugin, kubectl (PATH holds nothing) and minikube; every other critical check
 * passes on a machine that can run the test tiers.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { CTO_BIN, Sandbox } from "../helpers/cli.js";
import { TmuxSession, tmuxAvailable } from "../helpers/tmux.js";
import { emptyPathDir, startToolServer, type ToolServer } from "../helpers/tool-server.js";

const CONFIG = `version: "0.1.0"
profile: minimal
platform:
  name: acme-platform
github:
  organization: acme
  repository: platform
cluster:
  provider: minikube
environments:
  dev: {}
`;

/**
 * These tests are about tools. The runner's own size may fall short of the profile (CI runners have
 * 2 CPUs; minimal on minikube states 6), which doctor rightly reports as ✗: that, and only that,
 * may fail besides what a test expects.
 */
const MACHINE_SIZE = /^ {2}✗ {2}(CPU|Memory|Free disk) /;
function assertOnlyMachineSizeFails(r: { code: number | null; stdout: string; stderr?: string }): void {
  const failed = r.stdout.split("\n").filter((l) => l.startsWith("  ✗"));
  for (const line of failed) assert.match(line, MACHINE_SIZE, r.stdout);
  assert.equal(r.code, failed.length > 0 ? 1 : 0, r.stdout + (r.stderr ?? ""));
}
/** cto up either passed its checks with the installed tools, or stopped only on the machine's size. */
const CHECKED_AGAIN = /^Prerequisites: \d+ ok|^ {2}✗ {2}(CPU|Memory|Free disk) /m;

const INSTALLED = ["kubectl", "minikube", "pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"];

describe("cto doctor --fix installs pinned, checksummed tools", function () {
  this.timeout(120_000);
  let box: Sandbox;
  let server: ToolServer;
  let env: Record<string, string>;
  let bin: string;

  beforeEach(async () => {
    box = new Sandbox();
    writeFileSync(join(box.cwd, "cto.yaml"), CONFIG);
    server = await startToolServer();
    env = { ...server.env(), PATH: await emptyPathDir(box.root) };
    bin = join(box.env.CTO_HOME as string, "bin");
  });
  afterEach(async () => {
    await server.close();
    box.remove();
  });

  const binFiles = (): string[] => (existsSync(bin) ? readdirSync(bin).sort() : []);
  const staging = (): string[] => {
    const tmp = join(box.env.CTO_HOME as string, "tmp");
    return existsSync(tmp) ? readdirSync(tmp).filter((n) => n.startsWith("tools-")) : [];
  };
  const urlOf = (tool: keyof ToolServer["versions"], name: string): string =>
    `${server.url}/${tool}/${server.versions[tool]}/${server.platform.os}-${server.platform.arch}/${name}`;
  const fileNamed = (name: string) => [...server.files.values()].find((f) => f.name === name);

  it("installs every missing tool, doctor then passes with them, cto runs them, and a second --fix downloads nothing", async () => {
    const before = await box.run(["doctor"], { env });
    assert.equal(before.code, 1, before.stdout);

    const fix = await box.run(["doctor", "--fix"], { env });
    assertOnlyMachineSizeFails(fix);
    assert.deepEqual(binFiles(), INSTALLED);
    for (const f of INSTALLED) assert.equal(statSync(join(bin, f)).mode & 0o777, 0o755, f);
    assert.deepEqual(staging(), []);
    assert.match(fix.stdout, /✓ {2}Pulumi CLI 3\.276\.0: pulumi-language-nodejs, pulumi into /);
    assert.match(fix.stdout, /checked against pinned digest and publisher checksums/);
    assert.equal(server.downloads().length, 4);

    const after = await box.run(["doctor"], { env });
    assertOnlyMachineSizeFails(after);
    assert.match(after.stdout, new RegExp(`✓ {2}Pulumi CLI 3\\.276\\.0 +v3\\.276\\.0 at ${join(bin, "pulumi")}`));
    assert.match(
      after.stdout,
      new RegExp(`✓ {2}kubectl +kubectl ${server.versions.kubectl} at ${join(bin, "kubectl")}`),
    );
    assert.match(
      after.stdout,
      new RegExp(`✓ {2}minikube +minikube ${server.versions.minikube} at ${join(bin, "minikube")}`),
    );
    assert.match(after.stdout, /Installed by cto:\n {2}kubectl 1\.36\.1: kubectl from http:\/\/127\.0\.0\.1/);

    const version = await box.run(["version"], { env });
    assert.equal(version.code, 0);
    const pulumiTar = server.platform.arch === "amd64" ? "x64" : "arm64";
    assert.ok(
      version.stdout.includes(
        `Pulumi CLI 3.276.0: ${join(bin, "pulumi")} — 3.276.0 from ${urlOf("pulumi", `pulumi-v3.276.0-${server.platform.os}-${pulumiTar}.tar.gz`)} (sha256 ${fileNamed(`pulumi-v3.276.0-${server.platform.os}-${pulumiTar}.tar.gz`)?.sha256}`,
      ),
      version.stdout,
    );

    const again = await box.run(["doctor", "--fix"], { env });
    assertOnlyMachineSizeFails(again);
    assert.doesNotMatch(again.stdout, / into \S+ from http/, "no tool installed again");
    assert.match(again.stdout, /→ {2}Docker: /, "only the fixes cto cannot do remain");
    assert.equal(server.downloads().length, 4, "nothing downloaded again");
  });

  it("refuses tampered downloads with both digests, installs nothing and exits 1", async () => {
    for (const f of server.files.values()) server.faults.set(f.name, { tamper: true });
    const r = await box.run(["doctor", "--fix"], { env });
    assert.equal(r.code, 1, r.stdout);
    const pulumiFile = [...server.files.values()].find((f) => f.tool === "pulumi") as { sha256: string; name: string };
    assert.match(
      r.stdout,
      new RegExp(
        `SHA-256 mismatch for ${urlOf("pulumi", pulumiFile.name).replace(/\./g, "\\.")}: expected ${pulumiFile.sha256} \\(pinned digest, publisher checksums [^)]*\\), got [0-9a-f]{64}`,
      ),
    );
    assert.match(r.stdout, /nothing was installed/);
    assert.deepEqual(binFiles(), []);
    assert.deepEqual(staging(), []);
  });

  it("a run killed mid-download leaves no file behind, and the next run installs cleanly", async () => {
    const pulumiFile = [...server.files.values()].find((f) => f.tool === "pulumi") as { name: string };
    server.faults.set(pulumiFile.name, { stall: true });
    const child = spawn(process.execPath, [CTO_BIN, "doctor", "--fix"], {
      cwd: box.cwd,
      env: { ...box.env, ...env },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    await server.stalled;
    // The first half reached the client's staging file: kill it there.
    for (let i = 0; i < 100 && staging().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(staging().length, 1, "a staging directory while the transfer runs");
    child.kill("SIGKILL");
    await exited;
    assert.deepEqual(binFiles(), []);

    server.faults.clear();
    const r = await box.run(["doctor", "--fix"], { env });
    assertOnlyMachineSizeFails(r);
    assert.deepEqual(binFiles(), INSTALLED);
    assert.deepEqual(staging(), [], "the killed run's staging directory is gone");
  });

  it("HTTP 404 and 500 name the URL and the manual install; the tools that could be had are installed", async () => {
    const minikube = fileNamed(`minikube-${server.platform.os}-${server.platform.arch}`) as { name: string };
    server.faults.set("kubectl", { status: 404 });
    server.faults.set(minikube.name, { status: 500 });
    const r = await box.run(["doctor", "--fix"], { env });
    assert.equal(r.code, 1, r.stdout);
    assert.ok(r.stdout.includes(`download failed: ${urlOf("kubectl", "kubectl")} answered HTTP 404`), r.stdout);
    assert.ok(r.stdout.includes(`download failed: ${urlOf("minikube", minikube.name)} answered HTTP 500`), r.stdout);
    assert.match(
      r.stdout,
      /install kubectl 1\.36\.1 by hand \(https:\/\/kubernetes\.io\/docs\/tasks\/tools\/#kubectl\) into /,
    );
    assert.match(r.stdout, /install minikube 1\.38\.1 by hand \(https:\/\/minikube\.sigs\.k8s\.io\/docs\/start\/\)/);
    assert.deepEqual(binFiles(), ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"]);
  });

  it("a tool with neither a checksum file nor a pinned digest is not downloaded", async () => {
    const minikube = fileNamed(`minikube-${server.platform.os}-${server.platform.arch}`) as { name: string };
    server.faults.set(`${minikube.name}.sha256`, { status: 500 });
    const r = await box.run(["doctor", "--fix"], { env });
    assert.equal(r.code, 1);
    assert.ok(
      r.stdout.includes(
        `refusing ${urlOf("minikube", minikube.name)}: no digest to check it against: ${urlOf("minikube", `${minikube.name}.sha256`)} answered HTTP 500, and none is pinned`,
      ),
      r.stdout,
    );
    assert.ok(!server.requests.includes(new URL(urlOf("minikube", minikube.name)).pathname), "never requested");
    assert.ok(!binFiles().includes("minikube"));
  });

  it("without any network it says so once per tool and names the mirror setting", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const r = await box.run(["doctor", "--fix"], { env: { ...env, CTO_TOOLS_MIRROR: `http://127.0.0.1:${closed}` } });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /no network: cannot reach http:\/\/127\.0\.0\.1:\d+\/pulumi\/.* \(ECONNREFUSED\)/);
    assert.match(r.stdout, /CTO_TOOLS_MIRROR=<url> \(files under <url>\/pulumi\/3\.276\.0\//);
    assert.match(r.stdout, /CTO_TOOLS_MIRROR_KUBECTL=<release directory url>/);
    assert.deepEqual(binFiles(), []);
  });
});

describe("cto up asks before it installs missing tools", function () {
  this.timeout(180_000);
  let box: Sandbox;
  let server: ToolServer;
  let env: Record<string, string>;
  let bin: string;
  let term: TmuxSession | undefined;

  beforeEach(async () => {
    box = new Sandbox();
    writeFileSync(join(box.cwd, "cto.yaml"), CONFIG);
    server = await startToolServer();
    env = { ...server.env(), PATH: await emptyPathDir(box.root) };
    bin = join(box.env.CTO_HOME as string, "bin");
  });
  afterEach(async () => {
    term?.kill();
    term = undefined;
    await server.close();
    box.remove();
  });

  const binFiles = (): string[] => (existsSync(bin) ? readdirSync(bin).sort() : []);

  it("without a terminal (CI, no stdin) it installs nothing and asks for --yes", async () => {
    const r = await box.run(["up"], { env: { ...env, CI: "true" } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no terminal to confirm on/);
    assert.match(r.stderr, /add --yes/);
    assert.deepEqual(server.requests, [], "not even a checksum file was fetched");
    assert.deepEqual(binFiles(), []);
  });

  it("with --yes it installs them, checks again and goes on with the installed Pulumi CLI", async () => {
    const r = await box.run(["up", "--yes"], { env: { ...env, CI: "true" }, timeoutMs: 150_000 });
    assert.match(
      r.stdout,
      /Missing tools cto can install into .*: Pulumi CLI 3\.276\.0, Pulumi kubernetes plugin 4\.32\.0, kubectl 1\.36\.1, minikube 1\.38\.1/,
    );
    assert.deepEqual(binFiles(), INSTALLED);
    assert.match(r.stdout + r.stderr, CHECKED_AGAIN, r.stdout + r.stderr);
    // The generated `pulumi` only prints its version, so the engine stage that follows fails: it
    // ran the CLI cto just installed.
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(server.downloads().length, 4);
  });

  it("with --yes, a tampered archive, a 404 and no network each stop it before anything changes", async () => {
    const pulumiFile = [...server.files.values()].find((f) => f.tool === "pulumi") as { name: string; sha256: string };
    server.faults.set(pulumiFile.name, { tamper: true });
    server.faults.set("kubectl", { status: 404 });
    const r = await box.run(["up", "--yes"], { env: { ...env, CI: "true" } });
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`SHA-256 mismatch for \\S+: expected ${pulumiFile.sha256} .*got [0-9a-f]{64}`));
    assert.match(r.stdout, /kubectl answered HTTP 404; nothing was installed/);
    assert.match(r.stderr, /fix: install kubectl 1\.36\.1 by hand/);
    assert.match(r.stderr, /prerequisites are not met \(✗ above\); nothing was changed/);
    assert.ok(!binFiles().includes("pulumi") && !binFiles().includes("kubectl"), binFiles().join(","));
    assert.ok(!existsSync(join(box.env.CTO_HOME as string, "state")), "no stack was touched");

    const offline = await box.run(["up", "--yes"], {
      env: { ...env, CI: "true", CTO_TOOLS_MIRROR: "http://127.0.0.1:9" },
    });
    assert.equal(offline.code, 1);
    assert.match(offline.stdout, /no network: cannot reach http:\/\/127\.0\.0\.1:9\//);
    assert.match(offline.stderr, /CTO_TOOLS_MIRROR=<url>/);
  });

  it("in a terminal it asks first: no installs nothing, yes installs", async function () {
    if (!tmuxAvailable()) this.skip();
    const start = (): TmuxSession =>
      (term = TmuxSession.start({
        // tmux itself needs the normal PATH; cto gets the empty one.
        command: ["env", `PATH=${env.PATH}`, process.execPath, CTO_BIN, "up"],
        cwd: box.cwd,
        env: { ...box.env, ...env, PATH: process.env.PATH, TERM: "xterm-256color" },
        scratch: box.root,
        width: 200,
      }));
    const no = start();
    await no.waitFor("Download and install them now?", 60_000);
    no.press("Enter"); // the default answer is no
    await no.waitFor("Not installed.");
    assert.equal(await no.exitCode(60_000), 1);
    assert.deepEqual(server.requests, []);
    assert.deepEqual(binFiles(), []);
    no.kill();

    const yes = start();
    await yes.waitFor("Download and install them now?", 60_000);
    yes.press("Left"); // to "Yes"
    yes.press("Enter");
    await yes.waitFor(CHECKED_AGAIN, 90_000);
    assert.deepEqual(binFiles(), INSTALLED);
  });
});
