/**
 * The lookup behind cto's recorded help texts (cli/help-cache.ts): the help width commander would
 * use, the switch, and which file a recorded module names. The texts against commander's own
 * output are in test/cli/help-cache.test.ts.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  HELP_TEXTS_FORMAT,
  buildRoot,
  cachedHelp,
  fingerprint,
  helpCacheDisabled,
  inputFile,
  stdoutHelpWidth,
  type HelpTexts,
} from "../../cli/help-cache.js";

describe("cli/help-cache", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), "cto-help-cache-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Texts recorded at `width` from one real module of this build. */
  function textsFile(width: number): string {
    const module = path.join(buildRoot(), "cli", "help-cache.js");
    const texts: HelpTexts = {
      format: HELP_TEXTS_FORMAT,
      width,
      inputs: [{ path: "cli/help-cache.js", ...fingerprint(readFileSync(module)) }],
      requests: { [JSON.stringify(["--help"])]: 0 },
      texts: ["help at some width\n"],
    };
    const file = path.join(dir, `w${width}.json`);
    writeFileSync(file, JSON.stringify(texts));
    return file;
  }

  it("uses commander's width: the terminal's columns on a TTY, else 80", () => {
    assert.equal(stdoutHelpWidth({ isTTY: false, columns: 120 }), 80);
    assert.equal(stdoutHelpWidth({}), 80);
    assert.equal(stdoutHelpWidth({ isTTY: true, columns: 120 }), 120);
    assert.equal(stdoutHelpWidth({ isTTY: true }), 80);
  });

  it("serves a text only for its own width and request", () => {
    const env = { CTO_HELP_TEXTS: textsFile(80), CTO_HOME: dir };
    assert.equal(cachedHelp(["--help"], { env, stdout: {} }), "help at some width\n");
    assert.equal(cachedHelp(["--help"], { env, stdout: { isTTY: true, columns: 80 } }), "help at some width\n");
    assert.equal(cachedHelp(["--help"], { env, stdout: { isTTY: true, columns: 81 } }), undefined);
    assert.equal(cachedHelp(["-h"], { env, stdout: {} }), undefined);
    assert.equal(cachedHelp(["--help", "x"], { env, stdout: {} }), undefined);
    const wide = { CTO_HELP_TEXTS: textsFile(132), CTO_HOME: dir };
    assert.equal(cachedHelp(["--help"], { env: wide, stdout: { isTTY: true, columns: 132 } }), "help at some width\n");
    assert.equal(cachedHelp(["--help"], { env: wide, stdout: {} }), undefined);
  });

  it("CTO_NO_HELP_CACHE turns it off unless empty or 0", () => {
    assert.equal(helpCacheDisabled({}), false);
    assert.equal(helpCacheDisabled({ CTO_NO_HELP_CACHE: "" }), false);
    assert.equal(helpCacheDisabled({ CTO_NO_HELP_CACHE: "0" }), false);
    assert.equal(helpCacheDisabled({ CTO_NO_HELP_CACHE: "1" }), true);
    const env = { CTO_HELP_TEXTS: textsFile(80), CTO_HOME: dir, CTO_NO_HELP_CACHE: "1" };
    assert.equal(cachedHelp(["--help"], { env, stdout: {} }), undefined);
  });

  it("finds cto's modules below the build and a package's in its own directory", () => {
    assert.equal(inputFile({ path: "cli/main.js" }, "/opt/cto/dist"), path.join("/opt/cto/dist", "cli", "main.js"));
    const help = inputFile({ package: "commander", path: "lib/help.js" })!;
    assert.ok(help.endsWith(path.join("node_modules", "commander", "lib", "help.js")), help);
    assert.equal(inputFile({ package: "no-such-package-here", path: "index.js" }), undefined);
  });
});
