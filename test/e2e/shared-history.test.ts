/**
 * History shared through the state backend, and the no-op `up` that does not start the engine, on
 * the REAL Pulumi engine with the local-file program (test/e2e/fixtures/file-program.ts).
 *
 * Two checkouts: two CTO_HOMEs (own workspaces, journals, Pulumi homes) sharing one file backend
 * and the team's passphrase file, and so one stack.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../../config/paths.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { historyDir, readHistory } from "../../stacks/history.js";
import {
  cancel,
  history,
  noChangesSince,
  refresh,
  rollbackPlan,
  up,
  type LifecycleOptions,
} from "../../stacks/lifecycle/index.js";
import { historyFilesDir } from "../../stacks/shared-history.js";
import { planFileProgram } from "./fixtures/file-program.js";
import { uniqueLocalPlan, withChartVersion } from "./fixtures/local-plan.js";
import { toolchainBin } from "../helpers/toolchain-bin.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;

interface Team {
  tmp: string;
  files: string;
  state: string;
  plan: Plan;
  secrets: PlanSecrets;
  /** Options of checkout A or B. */
  a: LifecycleOptions;
  b: LifecycleOptions;
}

function team(bin: string): Team {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cto-team-"));
  const files = path.join(tmp, "files");
  execFileSync("mkdir", ["-p", files]);
  const passphrase = path.join(tmp, "team-passphrase");
  writeFileSync(passphrase, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
  const checkout = (name: string): LifecycleOptions => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CTO_HOME: path.join(tmp, name, "cto-home"),
      PULUMI_HOME: path.join(tmp, name, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
      PULUMI_CONFIG_PASSPHRASE_FILE: passphrase,
      CTO_PULUMI_BIN_DIR: bin,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    return { env, programFor: planFileProgram(files) };
  };
  const plan = uniqueLocalPlan("team");
  return {
    tmp,
    files,
    state: path.join(tmp, "state"),
    plan,
    secrets: { "registry.password": CANARY },
    a: checkout("a"),
    b: checkout("b"),
  };
}

const fileText = (t: Team, name: string): string => readFileSync(path.join(t.files, `${name}.txt`), "utf8");
const rows = (h: Awaited<ReturnType<typeof history>>): unknown[] =>
  h.map((e) => [e.n, e.operation, e.status, e.versions["argo-cd"], e.rollbackOf, e.host, e.programVersion]);

/** The newest history file of the stack in the file backend, to edit as an older cto would have written it. */
function latestHistoryFile(t: Team): string {
  const dir = historyFilesDir(t.state, t.plan.platform.name, t.plan.environment);
  const f = readdirSync(dir)
    .filter((x) => x.endsWith(".history.json"))
    .sort()
    .pop() as string;
  return path.join(dir, f);
}

describe("history shared through the backend, and the no-op up without the engine", function () {
  this.timeout(900_000);
  let bin: string;
  const teams: Team[] = [];

  before(() => {
    bin = toolchainBin();
    assert.ok(existsSync(path.join(bin, "pulumi")), `no pulumi in ${bin}`);
  });

  after(() => {
    for (const t of teams) rmSync(t.tmp, { recursive: true, force: true });
  });

  it("two checkouts (two CTO_HOMEs) on one file backend see the same history, and either rolls back", async () => {
    const t = team(bin);
    teams.push(t);
    const upgraded = withChartVersion(t.plan, "argo-cd", "7.9.9");

    await up(t.plan, t.secrets, t.a); // 1: A installs
    await up(upgraded, t.secrets, { ...t.b, operation: "upgrade" }); // 2: B upgrades
    assert.equal(fileText(t, "argo-cd"), "argo-cd 7.9.9");
    const seenByA = await history(t.plan, t.a);
    const seenByB = await history(t.plan, t.b);
    assert.deepEqual(rows(seenByA), rows(seenByB), "both checkouts see one history");
    assert.deepEqual(
      seenByA.map((e) => [e.n, e.operation, e.status, e.versions["argo-cd"]]),
      [
        [1, "up", "succeeded", "7.8.0"],
        [2, "upgrade", "succeeded", "7.9.9"],
      ],
    );
    assert.ok(
      seenByA.every((e) => e.programVersion !== "unknown"),
      "cto's version is recorded",
    );

    // A rolls back B's upgrade: the target is update 1, found in the backend's records.
    const rbA = await rollbackPlan(t.plan, t.secrets, undefined, t.a);
    assert.equal(rbA.record.n, 1);
    const rolled = await up(rbA.plan, t.secrets, { ...t.a, operation: "rollback", rollbackOf: rbA.record.n });
    assert.equal(rolled.history?.n, 3, "the report numbers the update as the backend does");
    assert.equal(fileText(t, "argo-cd"), "argo-cd 7.8.0");

    // B sees A's rollback, and rolls forward to its own upgrade by number.
    const rbB = await rollbackPlan(t.plan, t.secrets, 2, t.b);
    await up(rbB.plan, t.secrets, { ...t.b, operation: "rollback", rollbackOf: 2 });
    assert.equal(fileText(t, "argo-cd"), "argo-cd 7.9.9");
    const end = await history(t.plan, t.a);
    assert.deepEqual(rows(end), rows(await history(t.plan, t.b)));
    assert.deepEqual(
      end.map((e) => [e.n, e.operation, e.rollbackOf, e.versions["argo-cd"]]),
      [
        [1, "up", undefined, "7.8.0"],
        [2, "upgrade", undefined, "7.9.9"],
        [3, "rollback", 1, "7.8.0"],
        [4, "rollback", 2, "7.9.9"],
      ],
    );
    // The secret is in no history file (the plan holds names only; cto:secrets stays encrypted).
    const dir = historyFilesDir(t.state, t.plan.platform.name, t.plan.environment);
    for (const f of readdirSync(dir)) assert.ok(!readFileSync(path.join(dir, f), "utf8").includes(CANARY), f);
  });

  it("history written only locally by an older cto is kept and migrated into the backend once", async () => {
    const t = team(bin);
    teams.push(t);
    await up(t.plan, t.secrets, t.a);
    // Make update 1 look like an older cto's: no cto:update in the backend, a schema-1 local record.
    const file = latestHistoryFile(t);
    const entry = JSON.parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    delete entry.config["cto:update"];
    writeFileSync(file, JSON.stringify(entry));
    const journalDir = historyDir(t.a.env?.CTO_HOME as string, t.plan.platform.name, t.plan.environment);
    const [local] = await readHistory(journalDir);
    assert.ok(local);
    const localFile = path.join(journalDir, readdirSync(journalDir)[0] as string);
    writeFileSync(
      localFile,
      JSON.stringify({ ...local, schemaVersion: 1, id: undefined, programVersion: "0.0.1-old" }),
    );

    assert.equal((await history(t.plan, t.b))[0]?.programVersion, "unknown", "B cannot know before the migration");
    assert.equal((await history(t.plan, t.a))[0]?.programVersion, "0.0.1-old", "A reads its older record");

    await up(withChartVersion(t.plan, "argo-cd", "7.9.9"), t.secrets, t.a); // 2: carries the migration
    const afterB = await history(t.plan, t.b);
    assert.deepEqual(
      afterB.map((e) => [e.n, e.programVersion, e.host]),
      [
        [1, "0.0.1-old", os.hostname()],
        [2, afterB[1]?.programVersion, os.hostname()],
      ],
    );
    assert.notEqual(afterB[1]?.programVersion, "0.0.1-old");
    assert.ok(existsSync(localFile), "the older local record is kept");
  });

  it("no-op up: fast when nothing changed; an agent's resources, a chart pin, cto's version, a refresh or a pending operation take the full path", async () => {
    const t = team(bin);
    teams.push(t);
    const fast = async (plan: Plan, opts = t.a): Promise<string> => {
      const r = await noChangesSince(plan, t.secrets, opts);
      return r.fast ? `fast since ${r.n}` : r.reason;
    };
    assert.equal(await fast(t.plan), "no stack state yet");
    await up(t.plan, t.secrets, t.a); // 1
    assert.equal(await fast(t.plan), "fast since 1");
    const started = Date.now();
    await noChangesSince(t.plan, t.secrets, t.a);
    assert.ok(Date.now() - started < 2000, `the check took ${Date.now() - started} ms`);

    // One agent's resources.
    const agent = t.plan.agents[0];
    assert.ok(agent);
    const bigger: Plan = {
      ...t.plan,
      agents: [{ ...agent, resources: { ...agent.resources, memory: "9Gi" } }, ...t.plan.agents.slice(1)],
    };
    assert.match(await fast(bigger), /inputs differ from update 1/);
    await up(bigger, t.secrets, t.a); // 2
    assert.equal(await fast(bigger), "fast since 2");
    // A chart pin.
    const pinned = withChartVersion(bigger, "argo-cd", "7.9.9");
    assert.match(await fast(pinned), /inputs differ from update 2/);
    await up(pinned, t.secrets, t.a); // 3
    assert.equal(fileText(t, "argo-cd"), "argo-cd 7.9.9", "the full path applied it");
    assert.equal(await fast(pinned), "fast since 3");
    // The other checkout's workspace holds other ciphertexts: it takes the full path once, then is fast too.
    assert.notEqual(await fast(pinned, t.b), "fast since 3");
    await up(pinned, t.secrets, t.b); // 4
    assert.equal(await fast(pinned, t.b), "fast since 4");
    assert.match(await fast(pinned, t.a), /inputs differ|secrets/);
    await up(pinned, t.secrets, t.a); // 5
    // Another cto version made the last update.
    const file = latestHistoryFile(t);
    const text = readFileSync(file, "utf8");
    const entry = JSON.parse(text) as { config: Record<string, string> };
    const meta = JSON.parse(entry.config["cto:update"] as string) as { ctoVersion: string };
    entry.config["cto:update"] = JSON.stringify({ ...meta, ctoVersion: "0.0.1-other" });
    writeFileSync(file, JSON.stringify(entry));
    assert.match(await fast(pinned), /made by cto 0\.0\.1-other/);
    writeFileSync(file, text);
    assert.equal(await fast(pinned), "fast since 5");
    // A refresh since.
    await refresh(pinned, t.secrets, t.a); // 6
    assert.match(await fast(pinned), /last entry of the history is a succeeded refresh/);
    await up(pinned, t.secrets, t.a); // 7
    assert.equal(await fast(pinned), "fast since 7");

    // A run killed mid-update leaves a lock and pending operations: no fast path until repaired.
    const script = path.join(packageRoot(), path.relative(packageRoot(), import.meta.dirname), "fixtures", "run-up.js");
    const slowPlan = withChartVersion(pinned, "argo-cd", "7.9.10");
    const child = spawn(process.execPath, [script], {
      env: {
        ...t.a.env,
        CTO_TEST_UP: JSON.stringify({ plan: slowPlan, secrets: t.secrets, dir: t.files, delayMs: 4000 }),
      },
      detached: true,
      stdio: "ignore",
    });
    const lockDir = path.join(t.state, ".pulumi", "locks");
    const pendingIn = (): boolean => {
      const cp = path.join(t.state, ".pulumi", "stacks", t.plan.platform.name, `${t.plan.environment}.json`);
      return readFileSync(cp, "utf8").includes('"pending_operations"');
    };
    for (let i = 0; i < 1200 && !(existsSync(lockDir) && pendingIn()); i++)
      await new Promise((r) => setTimeout(r, 100));
    process.kill(-(child.pid as number), "SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    assert.match(await fast(pinned), /locked by .*no longer running/);
    await cancel(pinned, t.secrets, t.a); // the lock goes; the pending operations stay
    assert.match(await fast(pinned), /pending operations/);
    await up(pinned, t.secrets, t.a); // resolves them and applies
    assert.match(await fast(pinned), /^fast since \d+$/);
  });
});
