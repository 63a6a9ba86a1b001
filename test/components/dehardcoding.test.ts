/**
 * De-hardcoding: every profile built for the organisation `acme` (domain acme.example) carries no
 * trace of the organisation the platform came from, in any input of any resource (secret inputs
 * included). The scanner is shown to find a planted value, so the check can fail.
 */
import assert from "node:assert/strict";
import { ACME_PROFILES } from "../golden/acme-plans.js";
import { acme, buildUnderMocks } from "./fixtures.js";
import { allStrings, type RecordedResource } from "./harness.js";

const FORBIDDEN = [/5dlabs/i, /5d labs/i, /5dlabs\.ai/i];

function offending(recorded: RecordedResource[]): string[] {
  const hits: string[] = [];
  for (const resource of recorded) {
    for (const text of allStrings([resource.name, resource.inputs])) {
      if (FORBIDDEN.some((re) => re.test(text))) hits.push(`${resource.type} ${resource.name}: ${text.slice(0, 120)}`);
    }
  }
  return hits;
}

describe("no hardcoded organisation in any resource input (mocks)", function () {
  this.timeout(120_000);

  for (const profile of ACME_PROFILES) {
    it(`${profile}: nothing mentions 5dlabs, 5D Labs or 5dlabs.ai`, async () => {
      const { recorded } = await buildUnderMocks(acme(profile));
      assert.ok(recorded.length > 15, "the platform was built");
      assert.deepEqual(offending(recorded), []);
      // The organisation the user configured is what appears instead.
      assert.ok(recorded.some((r) => allStrings(r.inputs).some((s) => s.includes("acme.example"))));
    });
  }

  it("the scan finds a planted value (so it can fail)", async () => {
    const plan = acme("minimal", (p) => {
      p.github.organization = "5DLabs";
    });
    const { recorded } = await buildUnderMocks(plan);
    assert.ok(offending(recorded).length > 0);
  });
});
