/**
 * Drill: secrets canary. The minimal lifecycle (init → up → secrets set → up → status → destroy)
 * through the built `cto` on the real engine and a simulated cluster, with canary values for the
 * rex App's webhook secret and an API key (both `cto secrets set`, from stdin) and a
 * GitHub App private key (a real RSA key in a 0600 file). No canary may appear in clear (or
 * base64) in any output, JSON event stream, log, file under CTO_HOME, or process's argv sampled
 * during the run; files holding secrets are 0600; the state holds them only encrypted.
 */
import { strict as assert } from "node:assert";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCto, type CtoResult } from "../helpers/cli.js";
import { CtoProject } from "../helpers/cto-project.js";
import { DrillMetrics } from "./measure.js";
import { findLeaks, ProcessTableSampler, scanFiles, walkFiles, type Leak } from "./scan.js";

const tag = randomBytes(4).toString("hex");
const CLUSTER = `drill-secrets-${tag}`;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
/** A line of the key's body: unique to this key, so finding it anywhere means the key leaked. */
const PEM_LINE = PEM.split("\n")[5] as string;

const CANARIES: Record<string, string> = {
  webhookSecret: `CANARYwebhook${randomBytes(12).toString("hex")}`,
  apiKey: `sk-ant-CANARYapikey${randomBytes(12).toString("hex")}`,
  appKey: PEM_LINE,
};

describe("drill secrets-canary: canary secrets never appear in clear during the minimal lifecycle", function () {
  this.timeout(1_800_000);
  const metrics = new DrillMetrics("secrets-canary");
  let p: CtoProject;
  const sampler = new ProcessTableSampler();
  const runs: { args: string[]; result: CtoResult }[] = [];

  const cto = async (args: string[], input?: string): Promise<CtoResult> => {
    const result = await runCto(args, {
      cwd: p.sandbox.cwd,
      env: p.env,
      input,
      timeoutMs: 900_000,
    });
    runs.push({ args, result });
    assert.equal(result.code, 0, `cto ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  before(async function () {
    p = await CtoProject.create();
    sampler.start();
  });
  after(async function () {
    sampler.stop();
    metrics.set("process_table_samples", sampler.samples);
    metrics.set("cases", this.test?.parent?.tests.length ?? 0);
    metrics.write();
    if (p) await p.cleanup();
  });

  it("init, with the App's webhook secret from stdin and the App key from a 0600 file", async function () {
    await p.init("minimal", CLUSTER);
    const keys = path.join(p.sandbox.cwd, "keys");
    mkdirSync(keys, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(keys, "rex.pem"), PEM, { mode: 0o600 });
    chmodSync(path.join(keys, "rex.pem"), 0o600);
    await p.editConfig((doc) => {
      doc.setIn(["github", "apps", "rex", "private_key_path"], "keys/rex.pem");
      if (!doc.hasIn(["agents", "rex"])) doc.setIn(["agents", "rex", "enabled"], true);
    });
    await cto(["config", "validate"]);
    await cto(["secrets", "set", "github.apps.rex.webhook_secret", "--env", "dev"], `${CANARIES.webhookSecret}\n`);
  });

  it("cto up --yes --json installs the platform", async function () {
    await cto(["up", "--yes", "--json"]);
  });

  it("cto secrets set reads the API key from stdin and the next up applies it", async function () {
    await cto(["secrets", "set", "ANTHROPIC_API_KEY", "--env", "dev"], `${CANARIES.apiKey}\n`);
    const list = await cto(["secrets", "list", "--env", "dev", "--json"]);
    assert.match(list.stdout, /ANTHROPIC_API_KEY/);
    await cto(["up", "--yes"]);
    await cto(["up", "--yes", "--json"]);
  });

  it("the secrets reached the cluster (so the scan below looks for values that were really used)", async function () {
    const k = p.kubectl(CLUSTER);
    const secrets = await k.json<{ items: { data?: Record<string, string> }[] }>("get", "secrets", "-A");
    const values = secrets.items.flatMap((s) =>
      Object.values(s.data ?? {}).map((v) => Buffer.from(v, "base64").toString()),
    );
    for (const [name, canary] of Object.entries(CANARIES)) {
      assert.ok(
        values.some((v) => v.includes(canary)),
        `canary ${name} is in a Kubernetes Secret`,
      );
    }
  });

  it("cto status and cto destroy --yes", async function () {
    await cto(["status"]);
    await cto(["destroy", "--yes", "--json"]);
  });

  it("no canary in any command's output, progress or JSON event stream", function () {
    const leaks: Leak[] = runs.flatMap((r) =>
      findLeaks(`cto ${r.args.join(" ")}`, r.result.stdout + r.result.stderr, CANARIES),
    );
    metrics.set("commands_scanned", runs.length);
    assert.deepEqual(leaks, []);
  });

  it("no canary in any process's argv while the commands ran", function () {
    assert.ok(sampler.samples >= 10, `only ${sampler.samples} samples of the process table`);
    const leaks = [...sampler.lines].flatMap((line) => findLeaks(`argv: ${line.slice(0, 200)}`, line, CANARIES));
    metrics.set("distinct_command_lines", sampler.lines.size);
    assert.deepEqual(leaks, []);
  });

  it("no canary in any file under CTO_HOME (logs, state, history, workspaces), the cluster's datastore aside", function () {
    const home = p.home;
    // The simulated cluster's own etcd holds the Kubernetes Secrets: that is where they are meant
    // to go, as in any cluster. Everything else cto writes is scanned.
    const { files, leaks } = scanFiles(home, CANARIES, (f) => f.includes(`${path.sep}kwok${path.sep}`));
    metrics.set("files_scanned", files.length);
    assert.ok(files.length > 5, `only ${files.length} files under ${home}`);
    assert.deepEqual(leaks, []);
  });

  it("the state backend holds the secrets only encrypted", function () {
    const state = path.join(p.home, "state");
    const files = walkFiles(state);
    const text = files.map((f) => readFileSync(f).toString("latin1")).join("\n");
    assert.ok(existsSync(state), `${state} exists`);
    assert.match(text, /"ciphertext"|secure:|"secure"/, "the state holds encrypted values");
    assert.deepEqual(
      files.flatMap((f) => findLeaks(f, readFileSync(f).toString("latin1"), CANARIES)),
      [],
    );
  });

  it("files holding secrets are mode 0600", function () {
    const candidates = walkFiles(p.home).filter(
      (f) =>
        /passphrase|secret|credential|\.pem$|\.key$/i.test(path.basename(f)) &&
        !f.includes(`${path.sep}kwok${path.sep}`),
    );
    const logs = walkFiles(path.join(p.home, "logs"));
    const wrong = [...candidates, ...logs]
      .map((f) => ({ f, mode: statSync(f).mode & 0o777 }))
      .filter(({ mode }) => mode & 0o077)
      .map(({ f, mode }) => `${path.relative(p.home, f)} ${mode.toString(8)}`);
    metrics.set("secret_files_checked", candidates.length + logs.length);
    assert.ok(
      candidates.some((f) => path.basename(f) === "passphrase"),
      "the passphrase file exists",
    );
    assert.deepEqual(wrong, []);
  });
});
