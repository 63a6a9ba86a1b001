/**
 * The release archives: one per platform with the documented name, the documented layout, an
 * executable for the right OS and CPU with the application blob injected, and SHA256SUMS that
 * match the files.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { openSync, readFileSync, readSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sha256File, parseChecksums } from "../../scripts/release/checksums.js";
import { SEA_FUSE } from "../../scripts/release/sea.js";
import type { BuildResult } from "../../scripts/release/build.js";
import { releaseBuild, TEST_BASE_URL } from "./build-once.js";

/** The file names inside an archive (tar.gz via tar, zip via unzip). */
function listArchive(file: string): string[] {
  const out = file.endsWith(".zip")
    ? execFileSync("unzip", ["-Z1", file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
    : execFileSync("tar", ["-tzf", file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return out.split("\n").filter(Boolean);
}

/** True when `name --version` can be started. */
function hasProgram(name: string): boolean {
  return !spawnSync(name, ["--version"], { stdio: "ignore" }).error;
}

/** Reads `length` bytes at `offset`. */
function readBytes(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** "linux-x64", "darwin-arm64", "win-x64", … from the executable's header. */
function platformOf(exe: string): string {
  const head = readBytes(exe, 0, 64);
  if (head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18);
    return `linux-${machine === 0x3e ? "x64" : machine === 0xb7 ? "arm64" : `machine-${machine}`}`;
  }
  if (head.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = head.readUInt32LE(4);
    return `darwin-${cpu === 0x01000007 ? "x64" : cpu === 0x0100000c ? "arm64" : `cpu-${cpu}`}`;
  }
  if (head.toString("latin1", 0, 2) === "MZ") {
    const peOffset = head.readUInt32LE(0x3c);
    const pe = readBytes(exe, peOffset, 6);
    assert.equal(pe.toString("latin1", 0, 4), "PE\0\0");
    return `win-${pe.readUInt16LE(4) === 0x8664 ? "x64" : "other"}`;
  }
  return "unknown";
}

describe("release archives", function () {
  this.timeout(30 * 60_000);
  let build: BuildResult;
  const unpacked = mkdtempSync(path.join(tmpdir(), "cto-archives-"));

  before(async () => {
    build = await releaseBuild();
  });
  after(() => rmSync(unpacked, { recursive: true, force: true }));

  it("has one archive per platform, named cto-<version>-<os>-<arch> (.zip for Windows)", () => {
    const names = build.archives.map((a) => path.basename(a.file)).sort();
    const v = build.version;
    assert.deepEqual(names, [
      `cto-${v}-darwin-arm64.tar.gz`,
      `cto-${v}-darwin-x64.tar.gz`,
      `cto-${v}-linux-arm64.tar.gz`,
      `cto-${v}-linux-x64.tar.gz`,
      `cto-${v}-win-x64.zip`,
    ]);
  });

  it("SHA256SUMS lists every archive and the npm tarball with their real checksums", async () => {
    const sums = parseChecksums(readFileSync(build.checksums, "utf8"));
    const files = [build.npmTarball!, ...build.archives.map((a) => a.file)];
    assert.deepEqual([...sums.keys()].sort(), files.map((f) => path.basename(f)).sort());
    for (const file of files) assert.equal(sums.get(path.basename(file)), await sha256File(file), file);
    // The format `sha256sum -c` reads, checked by the system's own tool (shasum on macOS).
    const [tool, ...args] = hasProgram("sha256sum") ? ["sha256sum", "-c"] : ["shasum", "-a", "256", "-c"];
    const check = execFileSync(tool!, [...args, "SHA256SUMS"], {
      cwd: path.dirname(build.checksums),
      encoding: "utf8",
    });
    assert.equal(
      check
        .trim()
        .split("\n")
        .filter((l) => l.endsWith(": OK")).length,
      files.length,
    );
  });

  it("each archive holds the executable, package.json, profiles, templates, examples and node_modules", () => {
    for (const { target, file } of build.archives) {
      const top = `cto-${build.version}-${target.id}/`;
      const entries = new Set(listArchive(file).map((e) => e.replace(/\/$/, "")));
      for (const required of [
        target.exe,
        "package.json",
        "README.md",
        "CHANGELOG.md",
        "profiles/minimal.yaml",
        "profiles/standard.yaml",
        "profiles/production.yaml",
        "profiles/versions.yaml",
        "templates/agent-roles.yaml",
        "node_modules/@pulumi/pulumi/package.json",
        "node_modules/@pulumi/kubernetes/package.json",
      ]) {
        assert.ok(entries.has(top + required), `${path.basename(file)} lacks ${required}`);
      }
      const outside = [...entries].filter((e) => !e.startsWith(top) && e !== top.slice(0, -1));
      assert.deepEqual(outside, [], "everything sits under one top-level directory");
      assert.ok(
        [...entries].some((e) => e.startsWith(`${top}examples/`) && e.endsWith(".yaml")),
        "an example config",
      );
      assert.ok(
        [...entries].some((e) => e.startsWith(`${top}templates/`) && e.endsWith(".hbs")),
        "templates",
      );
      const sources = [...entries].filter((e) => !e.startsWith(`${top}node_modules/`) && /\.ts$|\/test\//.test(e));
      assert.deepEqual(sources, [], "no TypeScript sources or tests outside node_modules/");
    }
  });

  it("each executable is built for its platform and carries the injected application", () => {
    for (const { target, file } of build.archives) {
      const dir = path.join(unpacked, target.id);
      execFileSync("mkdir", ["-p", dir]);
      const member = `cto-${build.version}-${target.id}/${target.exe}`;
      if (file.endsWith(".zip")) execFileSync("unzip", ["-q", "-o", file, member, "-d", dir]);
      else execFileSync("tar", ["-xzf", file, "-C", dir, member]);
      const exe = path.join(dir, member);
      assert.equal(platformOf(exe), target.id, `${member} header`);
      // postject flips the fuse from :0 to :1 when it injects the blob.
      const text = readFileSync(exe).toString("latin1");
      assert.ok(text.includes(`${SEA_FUSE}:1`), `${target.id}: the SEA fuse is not set`);
    }
  });

  it("Formula/cto.rb downloads each macOS/Linux archive from the release URL with its SHA256SUMS checksum", () => {
    assert.ok(build.formula, "no formula was written");
    const rb = readFileSync(build.formula, "utf8");
    const sums = parseChecksums(readFileSync(build.checksums, "utf8"));
    const pairs = [...rb.matchAll(/url "([^"]+)"\s+sha256 "([0-9a-f]{64})"/g)].map((m) => [m[1], m[2]]);
    const expected = build.archives
      .filter((a) => a.target.os !== "win")
      .map((a) => [`${TEST_BASE_URL}/${path.basename(a.file)}`, sums.get(path.basename(a.file))]);
    assert.deepEqual(pairs.sort(), expected.sort());
    assert.match(rb, /depends_on "kubernetes-cli"/);
    assert.match(rb, /test do[\s\S]*cto --version/);
  });

  it("Formula/cto.rb is valid Ruby (ruby -c)", () => {
    assert.ok(hasProgram("ruby"), "ruby is needed for this check (apt-get install ruby)");
    const out = execFileSync("ruby", ["-c", build.formula!], { encoding: "utf8" });
    assert.match(out, /Syntax OK/);
  });
});
