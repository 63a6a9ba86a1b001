/**
 * The generated passphrase (stacks/passphrase.ts): written once, mode 0600 in a 0700 directory,
 * handed to the engine by file name only; a file others can read is set back to 0600.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UserError } from "../../config/errors.js";
import { resolvePassphrase } from "../../stacks/passphrase.js";

describe("stacks/passphrase: the generated passphrase file", () => {
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(path.join(os.tmpdir(), "cto-passphrase-"))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));
  const mode = (file: string) => statSync(file).mode & 0o777;

  it("is generated on first use with mode 0600 (directory 0700), named to the engine, not given", async () => {
    const file = path.join(tmp, "home", "passphrase");
    const first = await resolvePassphrase({ env: {}, file, create: true });
    assert.equal(first.generated, true);
    assert.equal(mode(file).toString(8), "600");
    assert.equal(mode(path.dirname(file)).toString(8), "700");
    assert.deepEqual(first.env, { PULUMI_CONFIG_PASSPHRASE_FILE: file });
    const value = readFileSync(file, "utf8").trim();
    assert.ok(value.length >= 40, "32 random bytes");
    const again = await resolvePassphrase({ env: {}, file, create: true });
    assert.equal(again.generated, false);
    assert.equal(readFileSync(file, "utf8").trim(), value, "never overwritten");
  });

  it("a passphrase file others can read is set back to 0600", async () => {
    const file = path.join(tmp, "passphrase");
    writeFileSync(file, "kept\n");
    chmodSync(file, 0o644);
    await resolvePassphrase({ env: {}, file });
    assert.equal(mode(file).toString(8), "600");
    assert.equal(readFileSync(file, "utf8"), "kept\n");
  });

  it("without the file and with create: false, a UserError naming it, and nothing written", async () => {
    const file = path.join(tmp, "passphrase");
    await assert.rejects(
      resolvePassphrase({ env: {}, file, create: false }),
      (e: unknown) => e instanceof UserError && e.message.includes(file),
    );
    assert.equal(existsSync(file), false);
  });
});
