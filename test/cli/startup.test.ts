/**
 * What `cli/bin.ts` does before the program loads: the `--version` fast path and Node's compile
 * cache under CTO_HOME, which must never change what cto prints or make it fail. (The recorded help
 * texts, bin.ts's other fast path, are tested in help-cache.test.ts.)
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileCacheDir } from "../../cli/compile-cache.js";
import { packageRoot } from "../../config/paths.js";
import { Sandbox } from "../helpers/cli.js";

const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };

/** Files anywhere below `dir`. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("cto start-up", function () {
  this.timeout(60_000);
  let box: Sandbox;
  // A caller's own NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE would decide where the cache goes.
  // Help is rendered by the program (not served from the build's recorded texts, see
  // help-cache.test.ts), so that these runs load it and go through the compile cache.
  const plain = { NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, CTO_NO_HELP_CACHE: "1" };
  beforeEach(() => (box = new Sandbox("cto-startup-")));
  afterEach(() => box.remove());

  it("--version and -V print the package version, exactly as commander's option does", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await box.run([flag], { env: plain });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${manifest.version}\n`);
      assert.equal(r.stderr, "");
    }
    // Not alone: commander parses the line (and still answers --version first).
    const mixed = await box.run(["--version", "--help"], { env: plain });
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.equal(mixed.stdout, `${manifest.version}\n`);
  });

  it("keeps a compile cache under CTO_HOME (mode 0700), and the cached run prints the same help", async () => {
    const home = box.env.CTO_HOME as string;
    const first = await box.run(["--help"], { env: plain });
    assert.equal(first.code, 0, first.stderr);
    const cache = compileCacheDir(home);
    assert.ok(existsSync(cache), `no compile cache at ${cache}`);
    const entries = filesBelow(cache);
    assert.ok(entries.length > 5, `expected cached modules in ${cache}, found ${entries.length}`);
    assert.equal(statSync(home).mode & 0o777, 0o700);

    const second = await box.run(["--help"], { env: plain });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.equal(second.stderr, "");
  });

  it("runs normally, silently, when CTO_HOME cannot hold a cache", async () => {
    const reference = await box.run(["--help"], { env: { ...plain, NODE_DISABLE_COMPILE_CACHE: "1" } });
    assert.equal(reference.code, 0, reference.stderr);
    assert.equal(existsSync(compileCacheDir(box.env.CTO_HOME as string)), false, "NODE_DISABLE_COMPILE_CACHE honoured");

    // A regular file where a directory should be: mkdir fails with ENOTDIR (even for root).
    const blocker = join(box.root, "not-a-dir");
    writeFileSync(blocker, "");
    const r = await box.run(["--help"], { env: { ...plain, CTO_HOME: join(blocker, "cto-home") } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, reference.stdout);
    assert.equal(r.stderr, "");
  });
});
