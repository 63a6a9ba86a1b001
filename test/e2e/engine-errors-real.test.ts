/**
 * The engine error table (stacks/engine-errors.ts) is tested in the unit tier against texts the
 * REAL engine printed: this file provokes each failure with the real Pulumi CLI (the toolchain's),
 * a temporary file:// backend and a temporary PULUMI_HOME, and checks that
 *   - what the engine prints now, with the run's volatile parts (temporary paths, stack names,
 *     user, host, pid, time, lock ids) replaced by placeholders, is exactly the text recorded in
 *     test/fixtures/engine-errors.json, which test/unit/lifecycle-engine-errors.test.ts replays;
 *   - the table explains the real text as the fixture's kind.
 * A Pulumi CLI that words an error differently fails here. To record its texts again, run this
 * file with CTO_RECORD_ENGINE_ERRORS=1 (it rewrites the fixture), then check the unit tier.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import * as random from "@pulumi/random";
import { packageRoot } from "../../config/paths.js";
import { explainEngineError } from "../../stacks/engine-errors.js";

const FIXTURE = path.join(packageRoot(), "test", "fixtures", "engine-errors.json");

export interface EngineErrorFixture {
  /** What the case provokes. */
  case: string;
  /** The kind explainEngineError must give. */
  kind: string;
  /** The engine's error text (from its first `error:` line), volatile parts as placeholders. */
  text: string;
}

function toolchainBin(): string {
  if (process.env.CTO_PULUMI_BIN_DIR) return process.env.CTO_PULUMI_BIN_DIR;
  const out = execFileSync("bash", [path.join(packageRoot(), "scripts", "toolchain.sh")], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  return out.toString().trim().split("\n").pop() as string;
}

/** The engine's own error, from its first `error:` line to the end of that stderr block. */
function engineError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // A resource's error is indented under "Diagnostics:"; the stack's own is not.
  const start = message.search(/^[ \t]*error: /m);
  assert.ok(start >= 0, `no "error:" line in the engine's failure:\n${message}`);
  const rest = message.slice(start).trimStart();
  // The automation API appends nothing after stderr but its own closing lines ("err?:", blank).
  const end = rest.search(/\n\s*\n|\n\s*err\?:/);
  return (end >= 0 ? rest.slice(0, end) : rest).trimEnd();
}

/** Placeholders for what differs between runs (a pid stays a number, so the lock holder still parses). */
function normalise(text: string, tmp: string, stack: string): string {
  return text
    .split(tmp)
    .join("<tmp>")
    .split(stack)
    .join("<stack>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<lock-id>")
    .replace(/created by \S+@\S+ \(pid \d+\) at \S+/g, "created by <user>@<host> (pid 12345) at <time>");
}

describe("engine error texts (real Pulumi CLI, file backend)", function () {
  this.timeout(600_000);
  const record = process.env.CTO_RECORD_ENGINE_ERRORS === "1";
  const recorded: EngineErrorFixture[] = [];
  const expected = new Map<string, EngineErrorFixture>();
  let tmp: string;
  let pulumi: PulumiCommand;
  let n = 0;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "cto-engine-errors-"));
    mkdirSync(path.join(tmp, "state"));
    pulumi = await PulumiCommand.get({ root: path.dirname(toolchainBin()), skipVersionCheck: true });
    if (!record) {
      for (const f of JSON.parse(readFileSync(FIXTURE, "utf8")) as EngineErrorFixture[]) expected.set(f.case, f);
    }
  });

  after(() => {
    if (record) writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 2)}\n`);
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A fresh stack of an inline program, with its own PULUMI_HOME and the given passphrase. */
  async function stackOf(program: () => Promise<void>, envVars: Record<string, string> = {}): Promise<Stack> {
    n += 1;
    const home = path.join(tmp, `home-${n}`);
    mkdirSync(home);
    return LocalWorkspace.createStack(
      { stackName: `e${n}-${process.pid}`, projectName: "engine-errors", program },
      {
        pulumiCommand: pulumi,
        pulumiHome: home,
        workDir: mkdtempSync(path.join(tmp, "work-")),
        envVars: {
          PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
          PULUMI_CONFIG_PASSPHRASE: "right passphrase",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          ...envVars,
        },
      },
    );
  }

  /** Checks (or records) one provoked failure. */
  function check(name: string, kind: string, err: unknown, stack: Stack): void {
    const raw = engineError(err);
    const text = normalise(raw, tmp, stack.name);
    assert.equal(explainEngineError(raw, { environment: "dev" })?.kind, kind, `the table misreads:\n${raw}`);
    if (record) {
      recorded.push({ case: name, kind, text });
      return;
    }
    const want = expected.get(name);
    assert.ok(want, `${name} is not in ${FIXTURE}: run with CTO_RECORD_ENGINE_ERRORS=1`);
    assert.equal(want.kind, kind);
    assert.equal(text, want.text, `the engine words "${name}" differently now (CTO_RECORD_ENGINE_ERRORS=1 records it)`);
  }

  async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (err) {
      return err;
    }
    assert.fail("the engine run succeeded; it was meant to fail");
  }

  it("lock held: a second update while the first one runs", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const stack = await stackOf(async () => {
      started();
      await held;
    });
    const first = stack.up();
    await running;
    const second = await stackOf(async () => undefined);
    // The same stack, opened by a second workspace: it finds the first one's lock.
    const same = await LocalWorkspace.selectStack(
      { stackName: stack.name, projectName: "engine-errors", program: async () => undefined },
      {
        pulumiCommand: pulumi,
        pulumiHome: path.join(tmp, `home-${n}`),
        workDir: second.workspace.workDir,
        envVars: second.workspace.envVars,
      },
    );
    const err = await failureOf(() => same.up());
    release();
    await first;
    check("lock-held", "lock-held", err, stack);
  });

  it("wrong passphrase: the stack's secrets were set up with another one", async () => {
    const stack = await stackOf(async () => undefined);
    await stack.setConfig("token", { value: "s3cret", secret: true });
    const wrong = await LocalWorkspace.selectStack(
      { stackName: stack.name, projectName: "engine-errors", program: async () => undefined },
      {
        pulumiCommand: pulumi,
        pulumiHome: stack.workspace.pulumiHome,
        workDir: stack.workspace.workDir,
        envVars: { ...stack.workspace.envVars, PULUMI_CONFIG_PASSPHRASE: "wrong passphrase" },
      },
    );
    check("wrong-passphrase", "wrong-passphrase", await failureOf(() => wrong.preview()), stack);
  });

  it("missing passphrase: neither PULUMI_CONFIG_PASSPHRASE nor _FILE is set", async () => {
    const stack = await stackOf(async () => undefined);
    await stack.setConfig("token", { value: "s3cret", secret: true });
    const env = { ...stack.workspace.envVars };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
    const savedFile = process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    try {
      const bare = await LocalWorkspace.selectStack(
        { stackName: stack.name, projectName: "engine-errors", program: async () => undefined },
        {
          pulumiCommand: pulumi,
          pulumiHome: stack.workspace.pulumiHome,
          workDir: stack.workspace.workDir,
          envVars: env,
        },
      );
      check("missing-passphrase", "missing-passphrase", await failureOf(() => bare.preview()), stack);
    } finally {
      if (saved !== undefined) process.env.PULUMI_CONFIG_PASSPHRASE = saved;
      if (savedFile !== undefined) process.env.PULUMI_CONFIG_PASSPHRASE_FILE = savedFile;
    }
  });

  it("plugin missing: a random resource with plugin acquisition off", async () => {
    const stack = await stackOf(async () => {
      new random.RandomString("r", { length: 4 });
    });
    check("plugin-missing", "plugin-missing", await failureOf(() => stack.preview()), stack);
  });
});
