/**
 * The `cto init` wizard in a real pseudo-terminal (tmux): a person answering prompts, Ctrl-C, and
 * the overwrite confirmation. Each test checks what ends up on disk.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CTO_BIN, Sandbox } from "../helpers/cli.js";
import { TmuxSession, tmuxAvailable } from "../helpers/tmux.js";

describe("cto init wizard (tmux pseudo-terminal)", function () {
  this.timeout(120_000);
  let box: Sandbox;
  let term: TmuxSession | undefined;

  before(function () {
    // npm test installs tmux from Debian's packages; without it this suite cannot run at all.
    if (!tmuxAvailable()) throw new Error("tmux is not installed: apt-get install tmux (npm test installs it)");
  });
  beforeEach(() => (box = new Sandbox("cto-wizard-")));
  afterEach(() => {
    term?.kill();
    term = undefined;
    box.remove();
  });

  function start(args: string[]): TmuxSession {
    term = TmuxSession.start({
      command: [process.execPath, CTO_BIN, "init", ...args],
      cwd: box.cwd,
      env: { ...box.env, TERM: "xterm-256color" },
      scratch: box.root,
    });
    return term;
  }

  it("asks at most 10 questions, validates answers, and writes the file the answers describe", async () => {
    const t = start([]);
    await t.waitFor("GitHub organisation (or user) the agents work in");
    t.type("acme org");
    t.press("Enter");
    await t.waitFor("must be a GitHub login");
    t.press("BSpace", "BSpace", "BSpace", "BSpace");
    t.press("Enter");

    await t.waitFor("Repository the platform starts with");
    t.type("platform");
    t.press("Enter");

    await t.waitFor("Installation profile");
    t.press("Down", "Enter"); // minimal → standard

    await t.waitFor("Where does the platform run?");
    t.press("Enter"); // kind

    await t.waitFor("Public domain for the platform");
    t.type("agents.acme.example");
    t.press("Enter");

    await t.waitFor("Container registry for agent images");
    t.press("Down", "Enter"); // local → ghcr

    await t.waitFor("Registry host");
    await t.waitFor("ghcr.io");
    t.press("Enter");

    // standard starts with rex, cleo, tess selected; accept.
    await t.waitFor("Agents to enable");
    t.press("Enter");

    await t.waitFor(/Wrote .*cto\.yaml/);
    assert.equal(await t.exitCode(), 0);

    const doc = parse(readFileSync(join(box.cwd, "cto.yaml"), "utf8"));
    assert.equal(doc.profile, "standard");
    assert.deepEqual(doc.platform, { name: "acme-platform", domain: "agents.acme.example", namespace: "cto" });
    assert.deepEqual(doc.github, { organization: "acme", repository: "platform" });
    assert.deepEqual(doc.cluster, { provider: "kind" });
    assert.equal(doc.registry.type, "ghcr");
    assert.equal(doc.registry.url, "ghcr.io");
    assert.equal(doc.registry.password, "${CTO_REGISTRY_PASSWORD}");
    assert.deepEqual(Object.keys(doc.agents), ["rex", "cleo", "tess"]);
    assert.equal(doc.charts, undefined, "no chart needs a repository");

    const validate = await box.run(["config", "validate"], {
      env: { CTO_REGISTRY_USERNAME: "acme-bot", CTO_REGISTRY_PASSWORD: "x" },
    });
    assert.equal(validate.code, 0, validate.stderr);
  });

  it("asks nothing that a flag answered", async () => {
    const t = start(["--org", "acme", "--repo", "platform", "--name", "acme-dev", "--profile", "minimal"]);
    const first = await t.waitFor("Where does the platform run?");
    assert.doesNotMatch(first, /GitHub organisation|Repository the platform|Installation profile/);
    t.press("Enter");
    await t.waitFor("Public domain for the platform");
    t.press("Enter"); // empty: no domain
    await t.waitFor("GitHub reaches the platform through a tunnel");
    t.press("Enter"); // empty: no tunnel
    await t.waitFor("Container registry for agent images");
    t.press("Enter"); // local: no registry host question
    await t.waitFor("Agents to enable");
    t.press("Enter");
    await t.waitFor(/Wrote .*cto\.yaml/);
    assert.equal(await t.exitCode(), 0);
    const doc = parse(readFileSync(join(box.cwd, "cto.yaml"), "utf8"));
    assert.deepEqual(doc.platform, { name: "acme-dev", namespace: "cto" });
    assert.deepEqual(doc.registry, { type: "local" });
    assert.deepEqual(doc.agents, { rex: { enabled: true } });
    assert.deepEqual(doc.github, { organization: "acme", repository: "platform" }, "no tunnel section");
  });

  it("no domain on a local cluster: offers a tunnel, writes it with the token as ${CTO_TUNNEL_TOKEN}, never the value", async () => {
    const secret = "tunnel-token-value-must-not-be-written";
    term = TmuxSession.start({
      command: [process.execPath, CTO_BIN, "init", "--org", "acme", "--repo", "platform", "--profile", "minimal"],
      cwd: box.cwd,
      env: { ...box.env, TERM: "xterm-256color", CTO_TUNNEL_TOKEN: secret },
      scratch: box.root,
    });
    const t = term;
    await t.waitFor("Where does the platform run?");
    t.press("Enter"); // kind
    await t.waitFor("Public domain for the platform");
    t.press("Enter"); // no domain
    await t.waitFor("GitHub reaches the platform through a tunnel");
    t.type("http://hooks.acme.example");
    t.press("Enter");
    await t.waitFor("must be an https URL");
    for (let i = 0; i < "http://hooks.acme.example".length; i++) t.press("BSpace");
    t.type("https://hooks.acme.example");
    t.press("Enter");
    await t.waitFor("Container registry for agent images");
    t.press("Enter");
    await t.waitFor("Agents to enable");
    t.press("Enter");
    await t.waitFor(/Wrote .*cto\.yaml/);
    assert.equal(await t.exitCode(), 0);
    const text = readFileSync(join(box.cwd, "cto.yaml"), "utf8");
    assert.ok(!text.includes(secret), "the token's value is not in cto.yaml");
    const doc = parse(text);
    assert.deepEqual(doc.github.tunnel, {
      provider: "cloudflare",
      url: "https://hooks.acme.example",
      token: "${CTO_TUNNEL_TOKEN}",
    });

    // The Apps' webhook URL is known from the tunnel: the resolved plan carries it.
    const shown = await box.run(["config", "show", "--resolved", "--output", "json"], {
      env: { CTO_TUNNEL_TOKEN: secret },
    });
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(!shown.stdout.includes(secret), "config show does not print the token");
    assert.match(shown.stdout, /"webhookUrl":\s*"https:\/\/hooks\.acme\.example\/github"/);
  });

  it("Ctrl-C prints 'Operation cancelled.', exits 0 and writes nothing", async () => {
    const t = start([]);
    await t.waitFor("GitHub organisation");
    t.type("acme");
    t.press("Enter");
    await t.waitFor("Repository the platform starts with");
    t.press("C-c");
    await t.waitFor("Operation cancelled.");
    assert.equal(await t.exitCode(), 0);
    assert.equal(existsSync(join(box.cwd, "cto.yaml")), false);
  });

  it("asks before replacing an existing cto.yaml and keeps it when told no", async () => {
    const file = join(box.cwd, "cto.yaml");
    writeFileSync(file, "# mine\n");
    const t = start(["--org", "acme", "--repo", "platform"]);
    await t.waitFor("cto.yaml exists. Replace it?");
    t.press("Enter"); // the default is No
    await t.waitFor("nothing written");
    assert.equal(await t.exitCode(), 0);
    assert.equal(readFileSync(file, "utf8"), "# mine\n");
  });

  it("in a GitHub checkout, offers the remote's organisation and repository; every prompt shows its step", async () => {
    execFileSync("git", ["init", "-q"], { cwd: box.cwd, env: box.env });
    execFileSync("git", ["remote", "add", "origin", "git@github.com:acme-labs/widgets.git"], {
      cwd: box.cwd,
      env: box.env,
    });
    const t = start([]);
    const first = await t.waitFor("(step 1 of 8)");
    assert.match(first, /default to github\.com\/acme-labs\/widgets \(git remote origin\)/);
    assert.match(first, /GitHub organisation \(or user\) the agents work in {2}\(step 1 of 8\)/);
    assert.match(first, /acme-labs/);
    t.press("Enter");
    const second = await t.waitFor("(step 2 of 8)");
    assert.match(second, /Repository the platform starts with \(name only\) {2}\(step 2 of 8\)/);
    assert.match(second, /widgets/);
    t.press("Enter");
    await t.waitFor("Installation profile  (step 3 of 8)");
    t.press("Enter");
    await t.waitFor("(step 4 of 8)");
    t.press("Enter");
    await t.waitFor("(step 5 of 8)");
    t.press("Enter"); // no domain: the tunnel question (kind is local)
    await t.waitFor("(step 6 of 8)");
    t.press("Enter"); // no tunnel
    await t.waitFor("Container registry for agent images  (step 7 of 8)");
    t.press("Down", "Enter"); // ghcr: the registry host question comes in
    await t.waitFor("Registry host (no scheme)  (step 8 of 9)");
    t.press("Enter");
    await t.waitFor("(step 9 of 9)");
    t.press("Enter"); // the agents: the last question (the platform ships with cto: no chart repository to ask for)
    await t.waitFor(/Wrote .*cto\.yaml/);
    assert.equal(await t.exitCode(), 0);
    const doc = parse(readFileSync(join(box.cwd, "cto.yaml"), "utf8"));
    assert.deepEqual(doc.github, { organization: "acme-labs", repository: "widgets" });
    assert.equal(doc.platform.name, "acme-labs-platform");
  });

  it("without a GitHub remote, Enter on the organisation says it is needed", async () => {
    const t = start([]);
    await t.waitFor("GitHub organisation (or user) the agents work in  (step 1 of 8)");
    t.press("Enter");
    const screen = await t.waitFor("needed: the GitHub organisation (or user) the agents work in, e.g. acme");
    assert.doesNotMatch(screen, /Too small|expected string|default to github\.com/);
    t.press("C-c");
    await t.waitFor("Operation cancelled.");
    assert.equal(await t.exitCode(), 0);
  });
});
