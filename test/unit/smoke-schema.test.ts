import { strict as assert } from "node:assert";
import { ctoConfigSchema } from "../../config/schema.js";

describe("config schema (smoke)", () => {
  it("rejects a config without github", () => {
    const r = ctoConfigSchema.safeParse({ version: "0.1.0", platform: { name: "p" } });
    assert.equal(r.success, false);
  });
});
