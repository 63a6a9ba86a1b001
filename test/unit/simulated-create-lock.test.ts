import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withKwokCreateLock } from "../../components/cluster/simulated.js";

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
