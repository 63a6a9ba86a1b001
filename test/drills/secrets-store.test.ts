/**
 * Drill: secrets canary, the part that needs no cluster. Through the built `cto` with the real
 * Pulumi CLI and a file backend: an App's client secret from `${VAR}`, an API key stored with
 * `cto secrets set` from stdin, a GitHub App key file; then `config validate`, `config show`,
 * `config show --resolved`, `secrets list`, `render`. No canary may appear in any output, any
 * process's argv sampled meanwhile, any file under CTO_HOME or the rendered directory (clear or
 * base64); the passphrase is 0600; the state holds the API key only as ciphertext.
 * (The full lifecycle with a cluster is the secrets-canary drill.)
 */
import { strict as assert } from "node:assert";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { requireBinaries, toolchainBinDir } from "../../config/toolchain.js";
import { runCto, type CtoResult } from "../helpers/cli.js";
import { DrillMetrics } from "./measure.js";
import { findLeaks, ProcessTableSampler, scanFiles, walkFiles } from "./scan.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const CANARIES: Record<string, string> = {
  clientSecret: `CANARYclient${randomBytes(12).toString("hex")}`,
  apiKey: `sk-ant-CANARYapikey${randomBytes(12).toString("hex")}`,
  appKey: PEM.split("\n")[5] as string,
};

describe("drill secrets-store: canary secrets stay out of outputs, argv and files (no cluster needed)", function () {
  this.timeout(600_000);
  const metrics = new DrillMetrics("secrets-store");
  const sampler = new ProcessTableSampler();
  const runs: { args: string[]; result: CtoResult }[] = [];
  let root: string;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  const cto = async (args: string[], input?: string): Promise<CtoResult> => {
    const result = await runCto(args, { cwd, env, input, timeoutMs: 300_000 });
    runs.push({ args, result });
    assert.equal(result.code, 0, `cto ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  before(function () {
    const bin = toolchainBinDir();
    requireBinaries(["pulumi"], { binDir: bin, purpose: "the secrets-store drill" });
    root = mkdtempSync(path.join(tmpdir(), "cto-drill-secrets-"));
    cwd = path.join(root, "work");
    mkdirSync(path.join(root, "home"), { recursive: true });
    mkdirSync(path.join(cwd, "keys"), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(cwd, "keys", "rex.pem"), PEM, { mode: 0o600 });
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("CTO_") && !k.startsWith("PULUMI_") && k !== "CI"),
    );
    env = {
      ...inherited,
      CI: "true",
      NO_COLOR: "1",
      HOME: path.join(root, "home"),
      CTO_HOME: path.join(root, "home", ".cto"),
      PULUMI_HOME: path.join(root, "pulumi-home"),
      CTO_TOOLCHAIN_BIN: bin,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      CTO_DRILL_CLIENT_SECRET: CANARIES.clientSecret,
    };
    sampler.start();
  });
  after(function () {
    sampler.stop();
    metrics.set("process_table_samples", sampler.samples);
    metrics.set("cases", this.test?.parent?.tests.length ?? 0);
    metrics.write();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("cto init, then the secrets go into cto.yaml as ${VAR} and a key file path", async function () {
    await cto(
      ["init", "--yes", "--provider", "simulated", "--org", "acme", "--repo", "platform"].concat([
        "--name",
        "drill-secrets",
        "--agents",
        "rex",
      ]),
    );
    const file = path.join(cwd, "cto.yaml");
    const text = readFileSync(file, "utf8").replace(
      /^github:\n/m,
      "github:\n  apps:\n    rex:\n      private_key_path: keys/rex.pem\n      client_secret: ${CTO_DRILL_CLIENT_SECRET}\n",
    );
    writeFileSync(file, text);
    await cto(["config", "validate"]);
  });

  it("cto secrets set reads the API key from stdin and stores it encrypted", async function () {
    await cto(["secrets", "set", "ANTHROPIC_API_KEY", "--env", "dev"], `${CANARIES.apiKey}\n`);
    const list = await cto(["secrets", "list", "--env", "dev"]);
    assert.match(list.stdout, /ANTHROPIC_API_KEY/);
  });

  it("config show, the resolved plan and render print no secret", async function () {
    const show = await cto(["config", "show"]);
    const resolved = await cto(["config", "show", "--resolved", "--output", "json"]);
    const render = await cto(["render", "--env", "dev", "--out", path.join(root, "render")]);
    for (const [name, r] of [
      ["config show", show],
      ["config show --resolved", resolved],
      ["render", render],
    ] as const)
      assert.deepEqual(findLeaks(name, r.stdout + r.stderr, CANARIES), [], `${name} printed a secret`);
    // They did print where the secrets are: the client secret masked, the plan naming both.
    assert.match(show.stdout, /^ {6}client_secret: <redacted>$/m);
    const plan = JSON.parse(resolved.stdout) as { secretNames: string[] };
    for (const name of ["github.apps.rex.client_secret", "github.apps.rex.private_key"])
      assert.ok(plan.secretNames.includes(name), `the plan names ${name}: ${plan.secretNames.join(", ")}`);
  });

  it("no canary in any command's output", function () {
    const leaks = runs.flatMap((r) =>
      findLeaks(`cto ${r.args.join(" ")}`, r.result.stdout + r.result.stderr, CANARIES),
    );
    metrics.set("commands_scanned", runs.length);
    assert.deepEqual(leaks, []);
  });

  it("no canary in any process's argv while the commands ran", function () {
    assert.ok(sampler.samples >= 5, `only ${sampler.samples} samples of the process table`);
    const leaks = [...sampler.lines].flatMap((line) => findLeaks(`argv: ${line.slice(0, 200)}`, line, CANARIES));
    assert.deepEqual(leaks, []);
  });

  it("no canary in any file under CTO_HOME or the rendered directory", function () {
    const home = scanFiles(env.CTO_HOME as string, CANARIES);
    const rendered = scanFiles(path.join(root, "render"), CANARIES);
    metrics.set("files_scanned", home.files.length + rendered.files.length);
    assert.ok(home.files.length >= 3 && rendered.files.length >= 3, "files were written");
    assert.deepEqual([...home.leaks, ...rendered.leaks], []);
  });

  it("the stack holds the API key only as ciphertext, and the passphrase file is 0600", function () {
    // Before any `up`, the stack's state has no resources; the key lives in its config (scanned above).
    const state = walkFiles(path.join(env.CTO_HOME as string, "state")).filter((f) => f.endsWith(".json"));
    assert.ok(state.length > 0, "a stack exists in the file backend");
    const workspaces = walkFiles(path.join(env.CTO_HOME as string, "workspaces")).filter((f) =>
      /Pulumi\..+\.yaml$/.test(f),
    );
    assert.match(
      workspaces.map((f) => readFileSync(f, "utf8")).join("\n"),
      /secure: /,
      "stack config values are encrypted",
    );
    const mode = statSync(path.join(env.CTO_HOME as string, "passphrase")).mode & 0o777;
    assert.equal(mode.toString(8), "600");
  });
});
