/**
 * `cto pulumi` on the built binary with a stand-in `pulumi` executable (CTO_PULUMI_BIN_DIR) that
 * records each call's arguments, working directory, stdin size and the environment variables cto
 * sets, and exits with the code it is told. What it shows: the help teaches the command; a bad
 * environment and a --stack of one's own are refused (exit 2) before any pulumi runs; the config
 * is written (the secret through stdin), the stack selected, then the arguments run unchanged in
 * the workspace, whose Pulumi.yaml runs cto's program; no argument ever holds the secret or the
 * passphrase; the exit code passes through.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Sandbox } from "../helpers/cli.js";
import { acmeConfigYaml } from "../helpers/acme-config.js";

const SECRET = "registry-secret-c4f1e9";

interface Call {
  argv: string[];
  cwd: string;
  stdinBytes: number;
  stdin: string;
  env: Record<string, string | undefined>;
}

/** The stand-in: `version` answers the pinned version; every other call is recorded. */
const FAKE = `#!${process.execPath}
const fs = require("node:fs");
const argv = process.argv.slice(2);
if (argv[0] === "version") { console.log("v3.276.0"); process.exit(0); }
let stdin = "";
if (argv.includes("--secret")) stdin = fs.readFileSync(0, "utf8");
const keys = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE",
  "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "PULUMI_SKIP_UPDATE_CHECK"];
const env = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify({ argv, cwd: process.cwd(), stdinBytes: stdin.length, stdin, env }) + "\\n");
if (argv[0] === "preview") { console.log("fake preview output"); process.exit(Number(process.env.FAKE_PULUMI_EXIT || 0)); }
`;

describe("cto pulumi", function () {
  this.timeout(120_000);
  let box: Sandbox;
  let log: string;

  const calls = (): Call[] =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Call)
      : [];

  beforeEach(() => {
    box = new Sandbox("cto-cli-pulumi-");
    const bin = join(box.root, "fake-bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "pulumi"), FAKE);
    chmodSync(join(bin, "pulumi"), 0o755);
    log = join(box.root, "pulumi-calls.jsonl");
    writeFileSync(
      join(box.cwd, "cto.yaml"),
      acmeConfigYaml({
        tail: "registry:\n  type: ghcr\n  username: deploy\n  password: ${CTO_REGISTRY_PASSWORD}\nenvironments:\n  dev: {}\n",
      }),
    );
    // The passphrase an earlier cto up generated (cto pulumi never creates a stack or a passphrase).
    mkdirSync(box.env.CTO_HOME as string, { recursive: true });
    writeFileSync(join(box.env.CTO_HOME as string, "passphrase"), "passphrase-5e0b7d\n", { mode: 0o600 });
    Object.assign(box.env, {
      CTO_PULUMI_BIN_DIR: bin,
      FAKE_PULUMI_LOG: log,
      CTO_REGISTRY_PASSWORD: SECRET,
      PULUMI_BACKEND_URL: `file://${join(box.root, "state")}`,
    });
  });
  afterEach(() => box.remove());

  it("--help teaches it with examples and says how the passphrase travels", async () => {
    const r = await box.run(["pulumi", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: cto pulumi \[options\] <ARGS\.\.\.>/);
    assert.match(r.stdout, /\$ cto pulumi --env dev -- preview --diff/);
    assert.match(r.stdout, /PULUMI_CONFIG_PASSPHRASE_FILE/);
    assert.match(r.stdout, /never its arguments/);
    const top = await box.run(["--help"]);
    assert.match(top.stdout, /\n {2}pulumi \[options\] <ARGS\.\.\.>/, "listed in cto --help");
  });

  it("a bad environment exits 2 and starts no pulumi", async () => {
    const undefinedEnv = await box.run(["pulumi", "--env", "nope", "--", "preview"]);
    assert.equal(undefinedEnv.code, 2, undefinedEnv.stderr);
    assert.match(undefinedEnv.stderr, /environment `nope` is not defined/);
    const invalid = await box.run(["pulumi", "--env", "Bad/Env", "--", "preview"]);
    assert.equal(invalid.code, 2, invalid.stderr);
    assert.match(invalid.stderr, /environment name "Bad\/Env" is not valid/);
    assert.deepEqual(calls(), [], "no pulumi call at all");
  });

  it("--stack in the arguments exits 2 and starts no pulumi", async () => {
    for (const args of [
      ["preview", "--stack", "prod"],
      ["preview", "--stack=prod"],
      ["stack", "-s", "prod"],
    ]) {
      const r = await box.run(["pulumi", "--", ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /cto pulumi runs on the stack of --env/);
    }
    assert.deepEqual(calls(), []);
  });

  it("writes the config, selects the stack, runs the arguments unchanged; nothing secret on argv; exit code passes through", async () => {
    box.env.FAKE_PULUMI_EXIT = "3";
    const r = await box.run(["pulumi", "--env", "dev", "--", "preview", "--diff", "--json"]);
    assert.equal(r.code, 3, `exit code of pulumi preview: ${r.stderr}`);
    assert.match(r.stdout, /fake preview output/, "the CLI's output reaches the caller");
    const all = calls();
    const last = all[all.length - 1]!;
    assert.deepEqual(last.argv, ["preview", "--diff", "--json"], "the arguments as given, nothing added");
    assert.ok(
      all.some((c) => c.argv[0] === "stack" && c.argv[1] === "select" && c.argv.includes("dev")),
      `stack dev selected: ${JSON.stringify(all.map((c) => c.argv))}`,
    );
    const secretSet = all.find((c) => c.argv.includes("--secret"));
    assert.ok(secretSet, "the secrets were written");
    assert.match(secretSet.stdin, new RegExp(SECRET), "the secret went through stdin");

    const home = box.env.CTO_HOME as string;
    const passphrase = readFileSync(join(home, "passphrase"), "utf8").trim();
    for (const c of all) {
      const argv = c.argv.join(" ");
      assert.ok(!argv.includes(SECRET), `secret on argv: ${argv}`);
      assert.ok(!argv.includes(passphrase), `passphrase on argv: ${argv}`);
    }
    // The engine environment cto gives its own runs.
    assert.equal(last.env.PULUMI_CONFIG_PASSPHRASE_FILE, join(home, "passphrase"));
    assert.equal(last.env.PULUMI_CONFIG_PASSPHRASE, undefined, "the value itself is not in the environment");
    assert.equal(last.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
    assert.match(last.env.PULUMI_BACKEND_URL ?? "", /^file:\/\/.*state/);

    // In the workspace, whose Pulumi.yaml runs cto's built program.
    assert.match(last.cwd, new RegExp(`${home.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/workspaces/acme-platform-`));
    const project = parse(readFileSync(join(last.cwd, "Pulumi.yaml"), "utf8")) as { name: string; main: string };
    assert.equal(project.name, "acme-platform");
    assert.match(project.main, /stacks\/pulumi-main\.js$/);
    assert.ok(existsSync(project.main), `${project.main} exists`);
    assert.match(r.stderr, /cto: pulumi preview --diff --json {2}\(stack acme-platform\/dev, in /);
  });

  it("exit code 0 passes through too", async () => {
    const r = await box.run(["pulumi", "--", "preview"]);
    assert.equal(r.code, 0, r.stderr);
  });
});
