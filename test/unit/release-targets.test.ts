/** Release targets and checksum files: pure logic, no build. */
import assert from "node:assert/strict";
import { packageRoot } from "../../config/paths.js";
import { formatChecksums, parseChecksums } from "../../scripts/release/checksums.js";
import { isRuntimeFile } from "../../scripts/release/runtime-modules.js";
import { allTargets, projectNodeVersion, selectTargets } from "../../scripts/release/targets.js";

describe("release: targets", () => {
  const root = packageRoot();

  it("covers the five platforms, Windows as a .zip with cto.exe", () => {
    const targets = allTargets(root);
    assert.deepEqual(
      targets.map((t) => `${t.id}:${t.exe}:${t.archiveFormat}`),
      [
        "linux-x64:cto:tar.gz",
        "linux-arm64:cto:tar.gz",
        "darwin-x64:cto:tar.gz",
        "darwin-arm64:cto:tar.gz",
        "win-x64:cto.exe:zip",
      ],
    );
  });

  it("builds on the Node version of scripts/node.sh unless a reason says otherwise", () => {
    const version = projectNodeVersion(root);
    assert.match(version, /^\d+\.\d+\.\d+$/);
    for (const t of allTargets(root)) {
      if (t.nodeVersion !== version) assert.ok(t.nodeVersionReason, `${t.id} uses ${t.nodeVersion} without a reason`);
      assert.equal(t.nodeVersion.split(".")[0], version.split(".")[0], `${t.id} stays on the same major`);
    }
  });

  it("selects targets by id and names the unknown ones", () => {
    assert.deepEqual(
      selectTargets(allTargets(root), ["win-x64", "linux-x64"]).map((t) => t.id),
      ["linux-x64", "win-x64"],
    );
    assert.throws(
      () => selectTargets(allTargets(root), ["linux-s390x"]),
      /unknown target\(s\) linux-s390x; known: linux-x64/,
    );
  });
});

describe("release: checksums and runtime files", () => {
  it("SHA256SUMS round-trips in sha256sum's format, sorted as given", () => {
    const entries = [
      { name: "cto-1.0.0-linux-x64.tar.gz", sha256: "a".repeat(64) },
      { name: "cto-1.0.0.tgz", sha256: "b".repeat(64) },
    ];
    const text = formatChecksums(entries);
    assert.equal(text, `${"a".repeat(64)}  cto-1.0.0-linux-x64.tar.gz\n${"b".repeat(64)}  cto-1.0.0.tgz\n`);
    assert.deepEqual(
      [...parseChecksums(text)],
      entries.map((e) => [e.name, e.sha256]),
    );
  });

  it("leaves type declarations, TypeScript and source maps out of the archive's node_modules", () => {
    for (const f of ["a/index.d.ts", "a/x.d.mts", "a/index.js.map", "a/src/x.ts"])
      assert.equal(isRuntimeFile(f), false, f);
    for (const f of ["a/index.js", "a/package.json", "a/LICENSE", "a/proto/x.proto", "a/x.mjs", "a/x.cjs"]) {
      assert.equal(isRuntimeFile(f), true, f);
    }
  });
});
