/**
 * Drill: hostile and broken input. Every file of test/drills/corpus goes through the built `cto`
 * binary, as `cto config validate -f F` and as `cto up --yes -f F --env dev`. Each must end with
 * a clear error (the expected fragment, the file and the config path; no stack trace), exit code
 * 2, within 10 s and 300 MB of memory, and must leave no stack, cluster or stray file behind.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { prepareCase, readCorpus, type CorpusCase } from "./corpus.js";
import { DrillMetrics, GNU_TIME, runMeasured, type MeasuredRun } from "./measure.js";

const MAX_WALL_MS = 10_000;
const MAX_RSS_KIB = 300 * 1024;
/** An error people can read: a corpus case may not make cto print more than this. */
const MAX_OUTPUT_BYTES = 64 * 1024;

const corpus = readCorpus();

interface CaseDirs {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ctoHome: string;
  kwokWorkdir: string;
}

/** A fresh HOME, CTO_HOME, PULUMI_HOME and KWOK_WORKDIR under `root`, nothing inherited from CTO_*. */
function caseDirs(root: string, name: string): CaseDirs {
  const base = path.join(root, name);
  const dirs = {
    cwd: path.join(base, "work"),
    home: path.join(base, "home"),
    ctoHome: path.join(base, "home", ".cto"),
    pulumiHome: path.join(base, "pulumi-home"),
    kwokWorkdir: path.join(base, "kwok"),
  };
  for (const d of [dirs.cwd, dirs.home, dirs.kwokWorkdir]) mkdirSync(d, { recursive: true });
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith("CTO_") && !k.startsWith("PULUMI_") && !k.startsWith("KWOK_") && k !== "KUBECONFIG",
    ),
  );
  return {
    cwd: dirs.cwd,
    ctoHome: dirs.ctoHome,
    kwokWorkdir: dirs.kwokWorkdir,
    env: {
      ...inherited,
      CI: "true",
      NO_COLOR: "1",
      HOME: dirs.home,
      CTO_HOME: dirs.ctoHome,
      PULUMI_HOME: dirs.pulumiHome,
      KWOK_WORKDIR: dirs.kwokWorkdir,
      PULUMI_CONFIG_PASSPHRASE: "drill-passphrase",
    },
  };
}

/** Files under `dir`, relative, recursively; [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" });
}

function show(run: MeasuredRun): string {
  const clip = (s: string) => (s.length > 1500 ? `${s.slice(0, 1500)}… (${s.length} characters)` : s);
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ""} in ${run.wallMs} ms, ${run.maxRssKiB} KiB\nstderr:\n${clip(run.stderr)}\nstdout:\n${clip(run.stdout)}`;
}

/** The assertions every corpus case must meet, whatever the command. */
function assertRefusedCleanly(c: CorpusCase, file: string, dirs: CaseDirs, run: MeasuredRun): void {
  const output = run.stdout + run.stderr;
  assert.equal(run.code, 2, `${c.name}: expected exit 2\n${show(run)}`);
  assert.ok(run.stderr.includes(c.expect), `${c.name}: error should contain "${c.expect}"\n${show(run)}`);
  const named = c.setup === "profiles-cyclic" ? "minimal.yaml" : path.basename(file);
  assert.ok(run.stderr.includes(named), `${c.name}: error should name the file ${named}\n${show(run)}`);
  if (c.path) assert.ok(run.stderr.includes(c.path), `${c.name}: error should name ${c.path}\n${show(run)}`);
  if (c.absent !== undefined) {
    assert.ok(!output.includes(c.absent), `${c.name}: output must not contain ${JSON.stringify(c.absent)}`);
  }
  assert.ok(!output.includes("\x1b"), `${c.name}: output must not carry raw escape sequences from the input`);
  assert.ok(!/this is a bug in cto|^\s+at .+:\d+:\d+\)?$/m.test(output), `${c.name}: stack trace\n${show(run)}`);
  assert.ok(
    Buffer.byteLength(output) <= MAX_OUTPUT_BYTES,
    `${c.name}: ${Buffer.byteLength(output)} bytes of output (at most ${MAX_OUTPUT_BYTES})\n${show(run)}`,
  );
  assert.ok(run.wallMs < MAX_WALL_MS, `${c.name}: took ${run.wallMs} ms (limit ${MAX_WALL_MS})`);
  assert.ok(run.maxRssKiB > 0, `${c.name}: no memory figure from ${GNU_TIME}`);
  assert.ok(run.maxRssKiB < MAX_RSS_KIB, `${c.name}: peak RSS ${run.maxRssKiB} KiB (limit ${MAX_RSS_KIB})`);
  // Nothing was created or changed: no state, no cluster, no file planted by metacharacters.
  const state = filesUnder(path.join(dirs.ctoHome, "state"));
  assert.deepEqual(state, [], `${c.name}: the state backend must stay empty, found ${state.join(", ")}`);
  const clusters = filesUnder(path.join(dirs.ctoHome, "clusters"));
  assert.deepEqual(clusters, [], `${c.name}: no cluster may be created, found ${clusters.join(", ")}`);
  const kwok = filesUnder(dirs.kwokWorkdir);
  assert.deepEqual(kwok, [], `${c.name}: no kwok cluster may be created, found ${kwok.join(", ")}`);
  const planted = filesUnder(dirs.cwd).filter((f) => /pwned/.test(f));
  assert.deepEqual(planted, [], `${c.name}: a command ran from config input: ${planted.join(", ")}`);
}

function drill(command: "validate" | "up"): void {
  const drillName = command === "validate" ? "hostile-input-validate" : "hostile-input-up";
  const title =
    command === "validate" ? "cto config validate -f F" : "cto up --yes -f F --env dev (temporary CTO_HOME)";
  const args = (file: string) =>
    command === "validate" ? ["config", "validate", "-f", file] : ["up", "--yes", "-f", file, "--env", "dev"];

  describe(`drill ${drillName}: hostile and broken cto.yaml through ${title}`, function () {
    let root: string;
    let upRegistered = true;
    const metrics = new DrillMetrics(drillName);

    before(async function () {
      root = mkdtempSync(path.join(tmpdir(), `cto-drill-${command}-`));
      assert.ok(existsSync(GNU_TIME), `${GNU_TIME} (GNU time) measures peak memory; install the time package`);
      if (command === "up") {
        const dirs = caseDirs(root, "probe");
        const probe = await runMeasured(["up", "--help"], { cwd: dirs.cwd, env: dirs.env });
        // An unknown command prints the top-level help (exit 0), so look for the command's own usage.
        upRegistered = probe.code === 0 && probe.stdout.includes("Usage: cto up");
        if (!upRegistered) metrics.set("not_run", "`cto up` is not registered in this build");
      }
    });

    after(function () {
      metrics.set("cases", this.test?.parent?.tests.length ?? 0);
      metrics.write();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it("has at least 50 corpus files", function () {
      assert.ok(corpus.length >= 50, `only ${corpus.length} corpus files`);
    });

    for (const c of corpus) {
      it(`${c.name}: ${c.what}`, async function () {
        if (!upRegistered) this.skip();
        const dirs = caseDirs(root, c.name);
        const prepared = prepareCase(c, dirs.cwd);
        const run = await runMeasured(args(prepared.file), {
          cwd: dirs.cwd,
          env: { ...dirs.env, ...prepared.env },
          timeoutMs: 60_000,
        });
        metrics.max("max_wall_ms", run.wallMs);
        metrics.max("max_rss_mib", Math.round(run.maxRssKiB / 1024));
        assertRefusedCleanly(c, prepared.file, dirs, run);
      });
    }
  });
}

drill("validate");
drill("up");
