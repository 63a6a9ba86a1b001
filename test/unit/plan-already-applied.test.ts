/**
 * `planAlreadyApplied` after a preview without changes: with a file backend it is the fast path's
 * answer, and when `cto up` already worked that out before the preview it is taken as given
 * instead of being worked out again (issue 20: the check ran twice on every run that was not fast).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { planAlreadyApplied } from "../../stacks/lifecycle/index.js";
import { makePlan } from "./preflight-fixtures.js";

describe("planAlreadyApplied", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "cto-applied-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // An empty file backend: worked out, the fast path says "no stack state yet".
  const plan = () => makePlan({ state: { secretsProvider: "passphrase", backendUrl: `file://${dir}/state` } });
  const env = () => ({ HOME: dir, CTO_HOME: path.join(dir, "cto") });

  it("works the fast path out when no answer is given", async () => {
    assert.equal(await planAlreadyApplied(plan(), {}, { env: env() }), false);
  });

  it("takes the answer it is given instead of reading the state again", async () => {
    const given = { fast: true as const, n: 3, meta: { schema: 1 } as never };
    assert.equal(await planAlreadyApplied(plan(), {}, { env: env(), fastPath: given }), true);
    const slow = { fast: false as const, reason: "update 3 was made by cto 0.0.1" };
    assert.equal(await planAlreadyApplied(plan(), {}, { env: env(), fastPath: slow }), false);
  });
});
