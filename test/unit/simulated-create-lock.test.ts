import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withKwokCreateLock } from "../../components/cluster/simulated.js";

const MODULE = fileURLToPath(new URL("../../components/cluster/simulated.js", import.meta.url));

/** A pid that was a process and is not one any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.on("exit", r));
  return child.pid as number;
}

/**
 * Waiters in separate processes (the race is between processes, as between two engines), started
 * once: in round r each waits for the file `go-r`, then takes the lock, appends "in <n>" to
 * `log-r`, holds it briefly and appends "out <n>".
 */
function startWaiters(root: string, lock: string, count: number, rounds: number): Promise<number>[] {
  const script = `
    import { appendFileSync, existsSync } from "node:fs";
    import path from "node:path";
    const { withKwokCreateLock } = await import(${JSON.stringify(MODULE)});
    const [root, lock, n, rounds] = process.argv.slice(1);
    for (let r = 0; r < Number(rounds); r++) {
      while (!existsSync(path.join(root, "go-" + r))) {
        if (!existsSync(root)) process.exit(3); // the test is over
        await new Promise((ok) => setTimeout(ok, 5));
      }
      const log = path.join(root, "log-" + r);
      await withKwokCreateLock(async () => {
        appendFileSync(log, "in " + n + "\\n");
        await new Promise((ok) => setTimeout(ok, 20));
        appendFileSync(log, "out " + n + "\\n");
      }, { lock, timeoutMs: 60000, takeoverDelayMs: 50 });
    }`;
  return Array.from({ length: count }, (_, n) => {
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", script, root, lock, String(n), String(rounds)],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    return new Promise<number>((r) => child.on("exit", (code) => r(code ?? -1)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("components/cluster/simulated: one kwok cluster created at a time (kwokctl's port probing races)", function () {
  let root: string;
  let lock: string;

  beforeEach(function () {
    root = mkdtempSync(path.join(tmpdir(), "cto-kwok-lock-"));
    lock = path.join(root, "create.lock");
  });
  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  it("concurrent creates run one after the other, and the lock is gone afterwards", async function () {
    const spans: [number, number][] = [];
    const create = () =>
      withKwokCreateLock(
        async () => {
          const start = Date.now();
          await sleep(150);
          spans.push([start, Date.now()]);
        },
        { lock },
      );
    await Promise.all([create(), create(), create()]);
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++)
      assert.ok(
        spans[i]![0] >= spans[i - 1]![1],
        `create ${i} started before ${i - 1} ended: ${JSON.stringify(spans)}`,
      );
    assert.equal(existsSync(lock), false);
  });

  it("is released when the create fails", async function () {
    await assert.rejects(
      withKwokCreateLock(() => Promise.reject(new Error("kwokctl failed")), { lock }),
      /kwokctl failed/,
    );
    assert.equal(existsSync(lock), false);
  });

  it("a lock left by a process that died is taken over", async function () {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((r) => child.on("exit", r));
    mkdirSync(lock);
    writeFileSync(path.join(lock, "pid"), String(child.pid));
    assert.equal(await withKwokCreateLock(async () => "created", { lock, timeoutMs: 5_000 }), "created");
  });

  // Each waiter pauses 50 ms between judging the holder dead and acting on it, so that acting late
  // on an old judgement, which a lock without atomic take-over gets wrong, happens every round.
  it("waiters racing over a dead holder's lock: one takes it over, the others wait their turn", async function () {
    this.timeout(300_000);
    const count = 5;
    const rounds = 4;
    const exits = startWaiters(root, lock, count, rounds);
    for (let round = 0; round < rounds; round++) {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(await deadPid()));
      const log = path.join(root, `log-${round}`);
      writeFileSync(log, "");
      writeFileSync(path.join(root, `go-${round}`), "");
      const lines = async () => readFileSync(log, "utf8").split("\n").filter(Boolean);
      const deadline = Date.now() + 120_000;
      while ((await lines()).length < 2 * count && Date.now() < deadline) await sleep(20);
      const seen = await lines();
      assert.equal(seen.length, 2 * count, `round ${round}: every waiter took the lock once: ${seen.join(", ")}`);
      for (let i = 0; i < seen.length; i += 2) {
        const n = seen[i]!.split(" ")[1];
        assert.deepEqual(
          [seen[i], seen[i + 1]],
          [`in ${n}`, `out ${n}`],
          `round ${round}: two waiters held the lock at once: ${seen.join(", ")}`,
        );
      }
      while (existsSync(lock)) await sleep(20);
    }
    assert.deepEqual(await Promise.all(exits), Array(count).fill(0), "every waiter finished");
    assert.deepEqual(
      readdirSync(root).filter((f) => f.startsWith("create.lock")),
      [],
      "no lock, claim or temporary directory left",
    );
  });

  it("a live holder makes the next create wait, and give up with a clear error at the timeout", async function () {
    mkdirSync(lock);
    writeFileSync(path.join(lock, "pid"), String(process.ppid));
    await assert.rejects(
      withKwokCreateLock(async () => "created", { lock, timeoutMs: 600 }),
      /another kwok cluster is still being created after 0.6s/,
    );
    assert.equal(existsSync(lock), true, "a live holder's lock is left alone");
  });
});
