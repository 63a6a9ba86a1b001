/** The Homebrew formula generator and where it points: pure logic, no build. */
import assert from "node:assert/strict";
import { githubRepository, releaseBaseUrl, renderFormula, type FormulaInput } from "../../scripts/release/formula.js";

const HEX = (c: string): string => c.repeat(64);

function input(overrides: Partial<FormulaInput> = {}): FormulaInput {
  return {
    version: "1.2.3",
    description: "Installer for the CTO multi-agent development platform",
    homepage: "https://github.com/acme/cto",
    license: "Apache-2.0",
    baseUrl: "https://github.com/acme/cto/releases/download/v1.2.3",
    archives: [
      { os: "darwin", arch: "arm64", name: "cto-1.2.3-darwin-arm64.tar.gz", sha256: HEX("a") },
      { os: "darwin", arch: "x64", name: "cto-1.2.3-darwin-x64.tar.gz", sha256: HEX("b") },
      { os: "linux", arch: "arm64", name: "cto-1.2.3-linux-arm64.tar.gz", sha256: HEX("c") },
      { os: "linux", arch: "x64", name: "cto-1.2.3-linux-x64.tar.gz", sha256: HEX("d") },
    ],
    ...overrides,
  };
}

describe("release: Homebrew formula", () => {
  it("puts each archive's URL and checksum under its OS and CPU block", () => {
    const rb = renderFormula(input());
    const block = (os: string, cpu: string): string => {
      const osBody = rb.slice(rb.indexOf(`on_${os} do`));
      const cpuBody = osBody.slice(osBody.indexOf(`on_${cpu} do`));
      return cpuBody.slice(0, cpuBody.indexOf("end"));
    };
    const base = "https://github.com/acme/cto/releases/download/v1.2.3";
    assert.match(
      block("macos", "arm"),
      new RegExp(`url "${base}/cto-1.2.3-darwin-arm64.tar.gz"\\s+sha256 "${HEX("a")}"`),
    );
    assert.match(
      block("macos", "intel"),
      new RegExp(`url "${base}/cto-1.2.3-darwin-x64.tar.gz"\\s+sha256 "${HEX("b")}"`),
    );
    assert.match(
      block("linux", "arm"),
      new RegExp(`url "${base}/cto-1.2.3-linux-arm64.tar.gz"\\s+sha256 "${HEX("c")}"`),
    );
    assert.match(
      block("linux", "intel"),
      new RegExp(`url "${base}/cto-1.2.3-linux-x64.tar.gz"\\s+sha256 "${HEX("d")}"`),
    );
  });

  it("depends on kubectl's formula and tests `cto --version`", () => {
    const rb = renderFormula(input());
    assert.match(rb, /^ {2}depends_on "kubernetes-cli"$/m);
    assert.match(rb, /test do\n\s+assert_match version\.to_s, shell_output\("#\{bin\}\/cto --version"\)\n\s+end/);
    assert.match(rb, /^class Cto < Formula$/m);
    assert.match(rb, /^ {2}version "1\.2\.3"$/m);
  });

  it("refuses to write a formula with a platform missing", () => {
    assert.throws(() => renderFormula(input({ archives: input().archives.slice(1) })), /no darwin-arm64 archive/);
  });

  it("escapes Ruby string syntax in text fields", () => {
    const rb = renderFormula(input({ description: 'say "hi" #{system("x")}' }));
    assert.match(rb, /desc "say \\"hi\\" \\#\{system\(\\"x\\"\)\}"/);
  });
});

describe("release: download location", () => {
  const manifest = { version: "1.2.3" };

  it("uses CTO_RELEASE_BASE_URL first, without a trailing slash", () => {
    const got = releaseBaseUrl(
      { ...manifest, repository: "github:acme/cto" },
      { CTO_RELEASE_BASE_URL: "https://dl.acme.example/cto/" },
      "/tmp/r",
    );
    assert.deepEqual(got, { url: "https://dl.acme.example/cto", source: "env" });
  });

  it("derives GitHub release downloads from package.json repository", () => {
    for (const repository of [
      "github:acme/cto",
      "acme/cto",
      "https://github.com/acme/cto",
      "https://github.com/acme/cto.git",
      { type: "git", url: "git+https://github.com/acme/cto.git" },
      { type: "git", url: "git@github.com:acme/cto.git" },
    ]) {
      assert.equal(githubRepository(repository), "acme/cto", JSON.stringify(repository));
      assert.deepEqual(releaseBaseUrl({ ...manifest, repository }, {}, "/tmp/r"), {
        url: "https://github.com/acme/cto/releases/download/v1.2.3",
        source: "repository",
      });
    }
  });

  it("falls back to the local release directory, never to an organisation of its own", () => {
    assert.deepEqual(releaseBaseUrl(manifest, {}, "/tmp/release"), { url: "file:///tmp/release", source: "local" });
    assert.equal(githubRepository({ type: "git", url: "https://gitlab.acme.example/acme/cto.git" }), undefined);
  });
});
