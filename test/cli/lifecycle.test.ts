/**
 * The lifecycle commands on the built binary, in the cases that need no engine: they are listed,
 * they refuse to change anything without a way to confirm, production needs its name, and the
 * read-only ones answer on an empty environment.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../config/paths.js";
import { Sandbox } from "../helpers/cli.js";

describe("cto lifecycle commands (no engine needed)", () => {
  let box: Sandbox;
  before(() => {
    box = new Sandbox("cto-cli-lifecycle-");
    copyFileSync(join(packageRoot(), "examples", "cto.yaml"), join(box.cwd, "cto.yaml"));
  });
  after(() => box.remove());

  it("cto --help lists every lifecycle command", async () => {
    const r = await box.run(["--help"]);
    assert.equal(r.code, 0);
    for (const c of [
      "preview",
      "up",
      "status",
      "upgrade",
      "rollback",
      "refresh",
      "destroy",
      "stacks",
      "history",
      "cancel",
    ]) {
      assert.match(r.stdout, new RegExp(`\\n  ${c}[ |]`), `${c} listed`);
    }
  });

  for (const command of ["up", "upgrade", "rollback", "destroy"]) {
    it(`cto ${command} without a terminal and without --yes changes nothing (exit 2)`, async () => {
      const r = await box.run([command]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no terminal to confirm on/);
      assert.match(r.stderr, /fix: add --yes/);
      assert.equal(existsSync(join(box.env.CTO_HOME as string, "state")), false, "no state backend created");
    });
  }

  it("destroying a production environment without a terminal needs --confirm NAME", async () => {
    const r = await box.run(["destroy", "--env", "prod", "--yes"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /prod is a production environment/);
    assert.match(r.stderr, /fix: cto destroy --env prod --yes --confirm prod/);
  });

  it("cto upgrade --to an unknown release: exit 2 naming the releases there are, cto.yaml untouched", async () => {
    const file = join(box.cwd, "cto.yaml");
    const before = readFileSync(file, "utf8");
    const r = await box.run(["upgrade", "--to", "2026.11", "--yes"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unknown platform release 2026\.11/);
    assert.match(r.stderr, /fix: releases in profiles\/versions\.yaml: 0\.1\.0, 0\.2\.0, 0\.3\.0/);
    assert.equal(readFileSync(file, "utf8"), before);
    assert.equal(existsSync(join(box.env.CTO_HOME as string, "state")), false, "no state backend created");
  });

  it("cto history on a new environment: nothing recorded, as text and JSON", async () => {
    const text = await box.run(["history", "--env", "staging"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /No updates recorded for staging yet/);
    const json = await box.run(["history", "--env", "staging", "--json"]);
    assert.deepEqual(JSON.parse(json.stdout), { environment: "staging", updates: [] });
  });

  it("cto rollback with no earlier update says so (exit 2)", async () => {
    const r = await box.run(["rollback", "--yes"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no earlier successful update/);
  });

  it("cto cancel on an unlocked environment says it is not locked", async () => {
    const r = await box.run(["cancel", "--env", "dev"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dev is not locked/);
  });
});
