/**
 * `cto backup` on the built binary, where no cluster is needed: with backup off every subcommand
 * says how to turn it on (exit 2); a restore with no terminal and no --yes is refused (exit 2)
 * before anything is read or changed.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Sandbox } from "../helpers/cli.js";
import { acmeConfigYaml } from "../helpers/acme-config.js";

const CONFIG = acmeConfigYaml();

describe("cto backup", function () {
  this.timeout(120_000);
  let box: Sandbox;
  beforeEach(() => {
    box = new Sandbox();
    writeFileSync(join(box.cwd, "cto.yaml"), CONFIG);
  });
  afterEach(() => box.remove());

  it("with backup off, list/create/restore say how to turn it on (exit 2)", async () => {
    for (const args of [["list"], ["create", "--wait"], ["restore", "nightly", "--yes"]]) {
      const r = await box.run(["backup", ...args]);
      assert.equal(r.code, 2, `backup ${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /backup is off in environment dev \(profile minimal\)/);
      assert.match(r.stderr, /features\.backup: true and backup\.bucket/);
    }
  });

  it("restore without a terminal and without --yes is refused with exit 2", async () => {
    const r = await box.run(["backup", "restore", "nightly"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /restoring backup nightly changes the cluster and there is no terminal to confirm on/);
    assert.match(r.stderr, /add --yes/);
  });
});
