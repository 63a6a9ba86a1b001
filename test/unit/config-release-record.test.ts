/**
 * Recording a release in cto.yaml (cto upgrade): the edit touches only the lines it needs,
 * comments and layout stay, the result validates, and layouts that cannot be edited safely
 * (a ${VAR} reference, an alias shared by two environments) are refused with what to write by hand.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { buildInitDocument } from "../../cli/init/document.js";
import { parseConfigText } from "../../config/load.js";
import { releaseEdit, writeReleaseEdit } from "../../config/release-record.js";
import { UserError } from "../../config/errors.js";
import { hunkOf, setYamlString } from "../../config/yaml-edit.js";

const BASE = `version: "0.1.0"
platform:
  name: acme
github:
  organization: acme
  repository: platform
`;

describe("config/release-record: cto upgrade's cto.yaml edit", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cto-release-record-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  const file = (text: string): string => {
    const f = join(dir, `cto-${n++}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  const edit = async (text: string, env: string, release: string) => {
    const f = file(text);
    return releaseEdit(f, parseConfigText(text, f, { env: {} }), env, release);
  };

  it("the file cto init writes: dev gets release under it, every other line and comment unchanged", async () => {
    const text = buildInitDocument({
      organization: "Acme",
      repository: "platform",
      name: "acme",
      profile: "minimal",
      provider: "kind",
      domain: "",
      registry: "local",
      agents: ["rex"],
    }).text;
    const e = await edit(text, "dev", "0.3.0");
    assert.ok(e);
    assert.equal(e.path, "environments.dev.release");
    assert.equal(e.previous, undefined);
    assert.deepEqual(e.hunk.removed, ["  dev: {}"]);
    assert.deepEqual(e.hunk.added, ["  dev:", '    release: "0.3.0"  # set by cto upgrade']);
    // Only that line changed: the rest, comments included, is byte for byte the same.
    const before = text.split("\n");
    const after = e.after.split("\n");
    assert.equal(after.length, before.length + 1);
    assert.deepEqual(after.slice(0, e.hunk.line - 1), before.slice(0, e.hunk.line - 1));
    assert.deepEqual(after.slice(e.hunk.line + 1), before.slice(e.hunk.line));
    assert.ok(after.includes("  # prod:"), "the commented prod example is kept");
    const config = parseConfigText(e.after, "cto.yaml", { env: {} });
    assert.equal(config.environments.dev?.release, "0.3.0");
  });

  it("an existing value is replaced in place, in its quoting, its comment kept", async () => {
    for (const [written, expected] of [
      ["release: 0.2.0  # pinned", "release: 0.3.0  # pinned"],
      ["release: '0.2.0'", "release: '0.3.0'"],
      ['release: "0.2.0"', 'release: "0.3.0"'],
    ]) {
      const text = `${BASE}environments:\n  dev:\n    profile: minimal\n    ${written}\n  prod:\n    release: 0.2.0\n`;
      const e = await edit(text, "dev", "0.3.0");
      assert.ok(e);
      assert.equal(e.previous, "0.2.0");
      assert.deepEqual(e.hunk, { line: 10, removed: [`    ${written}`], added: [`    ${expected}`] });
      assert.equal(parse(e.after).environments.prod.release, "0.2.0", "prod keeps its release");
    }
  });

  it("a release that would read back as a number is quoted", () => {
    const r = setYamlString("a:\n  b: x\n", ["a", "release"], "2026.11");
    assert.equal(parse(r.text).a.release, "2026.11");
    const s = setYamlString("release: 0.2.0\n", ["release"], "2026.11");
    assert.equal(parse(s.text).release, "2026.11");
  });

  it("a block environment without release: a line after its first one-line entry, or before a nested one", async () => {
    const after = await edit(
      `${BASE}environments:\n  dev:\n    profile: minimal\n    features:\n      monitoring: true\n`,
      "dev",
      "0.2.0",
    );
    assert.deepEqual(after?.hunk.added, ['    release: "0.2.0"  # set by cto upgrade']);
    assert.equal(after?.hunk.line, 10);
    const nested = await edit(`${BASE}environments:\n  dev:\n    features:\n      monitoring: true\n`, "dev", "0.2.0");
    assert.equal(nested?.hunk.line, 9);
    assert.deepEqual(parse(nested?.after ?? "").environments.dev, { release: "0.2.0", features: { monitoring: true } });
  });

  it("a flow mapping with entries gets the key inside it", async () => {
    const e = await edit(`${BASE}environments:\n  dev: { profile: minimal }\n`, "dev", "0.2.0");
    assert.deepEqual(e?.hunk.added, ['  dev: { release: "0.2.0", profile: minimal }']);
  });

  it("without environments the top-level release is set (one setting for every stack), after version", async () => {
    const e = await edit(`# header\n${BASE}`, "dev", "0.2.0");
    assert.equal(e?.path, "release");
    assert.deepEqual(e?.hunk, { line: 3, removed: [], added: ['release: "0.2.0"  # set by cto upgrade'] });
    const top = await edit(`${BASE}release: 0.2.0\nenvironments: {}\n`, "staging", "0.3.0");
    assert.equal(top?.path, "release");
    assert.deepEqual(top?.hunk.added, ["release: 0.3.0"]);
  });

  it("with environments declared only that environment moves, even when a top-level release is set", async () => {
    const e = await edit(`${BASE}release: 0.2.0\nenvironments:\n  dev: {}\n  prod: {}\n`, "prod", "0.3.0");
    const data = parse(e?.after ?? "");
    assert.equal(data.release, "0.2.0");
    assert.equal(data.environments.prod.release, "0.3.0");
    assert.deepEqual(data.environments.dev, {});
  });

  it("nothing to edit when the file already names the release", async () => {
    assert.equal(await edit(`${BASE}environments:\n  dev:\n    release: 0.3.0\n`, "dev", "0.3.0"), undefined);
  });

  it("a ${VAR} reference is not rewritten: exit 2 saying what to set", async () => {
    const text = `${BASE}environments:\n  dev:\n    release: \${CTO_RELEASE}\n`;
    const f = file(text);
    const config = parseConfigText(text, f, { env: { CTO_RELEASE: "0.2.0" } });
    await assert.rejects(releaseEdit(f, config, "dev", "0.3.0"), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /environments\.dev\.release is \$\{CTO_RELEASE\}/);
      assert.match(err.hint ?? "", /set that variable to 0\.3\.0/);
      return true;
    });
  });

  it("cto rollback records the release it went back to under its own name", async () => {
    // After cto upgrade: the comment it wrote names the command that set the value now.
    const text = `${BASE}environments:\n  dev:\n    release: "0.3.0"  # set by cto upgrade\n`;
    const f = file(text);
    const e = await releaseEdit(f, parseConfigText(text, f, { env: {} }), "dev", "0.2.0", "cto rollback");
    assert.equal(e?.by, "cto rollback");
    assert.equal(e?.previous, "0.3.0");
    assert.deepEqual(e?.hunk.added, ['    release: "0.2.0"  # set by cto rollback']);
    // A comment of the user's own stays.
    const own = `${BASE}environments:\n  dev:\n    release: 0.3.0 # pinned for the audit\n`;
    const o = file(own);
    const kept = await releaseEdit(o, parseConfigText(own, o, { env: {} }), "dev", "0.2.0", "cto rollback");
    assert.deepEqual(kept?.hunk.added, ["    release: 0.2.0 # pinned for the audit"]);
    const ref = `${BASE}environments:\n  dev:\n    release: \${CTO_RELEASE}\n`;
    const g = file(ref);
    await assert.rejects(
      releaseEdit(g, parseConfigText(ref, g, { env: { CTO_RELEASE: "0.3.0" } }), "dev", "0.2.0", "cto rollback"),
      /a reference cto rollback does not rewrite/,
    );
  });

  it("an environment shared through an alias is refused rather than moving both", async () => {
    const text = `${BASE}environments:\n  dev: &same\n    release: 0.2.0\n  staging: *same\n`;
    await assert.rejects(edit(text, "dev", "0.3.0"), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /change more than that one value/);
      assert.match(err.hint ?? "", /write environments\.dev\.release: "0\.3\.0" in .* yourself/);
      return true;
    });
  });

  it("writing keeps the file's mode, and applies the edit to what is there if the file changed since", async () => {
    const text = `${BASE}environments:\n  dev: {}\n`;
    const f = file(text);
    chmodSync(f, 0o640);
    const e = await releaseEdit(f, parseConfigText(text, f, { env: {} }), "dev", "0.3.0");
    assert.ok(e);
    writeFileSync(f, `# edited meanwhile\n${text}`);
    chmodSync(f, 0o640);
    await writeReleaseEdit(e);
    const written = readFileSync(f, "utf8");
    assert.ok(written.startsWith("# edited meanwhile\n"), written);
    assert.equal(parse(written).environments.dev.release, "0.3.0");
    assert.equal(statSync(f).mode & 0o777, 0o640);
  });

  it("hunkOf names only the changed lines", () => {
    assert.deepEqual(hunkOf("a\nb\nc\n", "a\nB\nB2\nc\n"), { line: 2, removed: ["b"], added: ["B", "B2"] });
  });
});
