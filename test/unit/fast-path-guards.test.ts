/**
 * The fast path's guards before any fingerprint (stacks/lifecycle/fast-path.ts noChangesSince): a
 * stack that is locked, or whose state holds pending operations, always takes the engine's path,
 * with the reason. (test/e2e/shared-history.test.ts checks the same after a real run is killed.)
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { noChangesSince } from "../../stacks/lifecycle/index.js";
import { makePlan } from "./preflight-fixtures.js";

describe("fast path: locked or interrupted stacks take the engine's path", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "cto-fast-guards-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plan = () => makePlan({ state: { secretsProvider: "passphrase", backendUrl: `file://${dir}/state` } });
  const env = () => ({ HOME: dir, CTO_HOME: path.join(dir, "cto") });
  /** A file backend's checkpoint for the plan's stack, and optionally a lock on it. */
  function state(latest: Record<string, unknown>, lock?: { pid: number }) {
    const p = plan();
    const stacks = path.join(dir, "state", ".pulumi", "stacks", p.platform.name);
    mkdirSync(stacks, { recursive: true });
    writeFileSync(path.join(stacks, `${p.environment}.json`), JSON.stringify({ version: 3, checkpoint: { latest } }));
    if (lock) {
      const locks = path.join(dir, "state", ".pulumi", "locks", "organization", p.platform.name, p.environment);
      mkdirSync(locks, { recursive: true });
      const info = { pid: lock.pid, username: "ops", hostname: "ci-7", timestamp: "2026-12-01T10:00:00Z" };
      writeFileSync(path.join(locks, "a1b2.json"), JSON.stringify(info));
    }
  }
  const reason = async () => {
    const r = await noChangesSince(plan(), {}, { env: env() });
    assert.equal(r.fast, false);
    return r.fast ? "" : r.reason;
  };

  it("a state with nothing recorded yet: no update recorded", async () => {
    state({ resources: [] });
    assert.equal(await reason(), "no update recorded yet");
  });

  it("a locked stack: the reason names the lock's holder", async () => {
    state({ resources: [] }, { pid: 4242 });
    assert.match(await reason(), /^the stack is locked by .*ops.*ci-7/);
  });

  it("pending operations of an interrupted run", async () => {
    state({ resources: [], pending_operations: [{ type: "creating", resource: { urn: "urn:x" } }] });
    assert.equal(await reason(), "the state holds pending operations of an interrupted run");
  });
});
