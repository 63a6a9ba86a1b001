import { strict as assert } from "node:assert";
import { Document, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { ConfigError } from "../../config/errors.js";
import { parseConfigText } from "../../config/load.js";
import { findDuplicateKeys } from "../../config/yaml-duplicate-keys.js";
import { MAX_REPORTED_ISSUES } from "../../config/yaml-parse.js";

/** The ConfigError thrown by `fn` (fails the test when nothing or something else is thrown). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail("expected a ConfigError");
}

const VALID = `version: "0.1.0"
platform:
  name: acme-platform
github:
  organization: acme
  repository: platform
`;

const MESSAGE = "YAML syntax error: Map keys must be unique";
const FIX = "each key may appear once per mapping; remove or merge the duplicate";

/** `line:column path message` of every issue, for exact comparisons. */
function located(error: ConfigError): string[] {
  return error.issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`);
}

/** Offsets where the yaml package's own (quadratic) check reports a duplicate key. */
function packageDuplicateOffsets(text: string): number[] {
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: false });
  return doc.errors.filter((e) => e.code === "DUPLICATE_KEY").map((e) => e.pos[0]);
}

describe("config: duplicate keys", () => {
  it("a duplicate at the top level is located at the second key, with its path and the fix", () => {
    const error = configError(() => parseConfigText(`${VALID}version: "0.2.0"\n`, "c.yaml", {}));
    assert.deepEqual(located(error), [`7:1 version ${MESSAGE}`]);
    assert.equal(error.issues[0]?.hint, FIX);
    assert.equal(error.issues[0]?.file, "c.yaml");
    assert.equal(
      error.message,
      ["1 problem found:", `  c.yaml:7:1 version: ${MESSAGE}`, `      fix: ${FIX}`].join("\n"),
    );
  });

  it("a duplicate in a nested mapping names the nested path", () => {
    const text = `${VALID}agents:\n  rex:\n    cli: codex\n    enabled: true\n    cli: claude\n`;
    const error = configError(() => parseConfigText(text, "c.yaml", {}));
    assert.deepEqual(located(error), [`11:5 agents.rex.cli ${MESSAGE}`]);
    assert.equal(error.issues[0]?.hint, FIX);
  });

  it("a duplicate inside a list of mappings names the list index", () => {
    const text =
      `${VALID}cluster:\n  provider: k3s\n  nodes:\n` +
      `    - host: 10.0.0.1\n      role: server\n` +
      `    - host: 10.0.0.2\n      user: ops\n      host: 10.0.0.3\n`;
    const error = configError(() => parseConfigText(text, "c.yaml", {}));
    assert.deepEqual(located(error), [`14:7 cluster.nodes[1].host ${MESSAGE}`]);
  });

  it("a duplicate inside a flow mapping is found too", () => {
    const text = `${VALID}agents:\n  rex: { resources: { cpu: 2, memory: 4Gi, cpu: 3 } }\n`;
    const error = configError(() => parseConfigText(text, "c.yaml", {}));
    assert.deepEqual(located(error), [`8:44 agents.rex.resources.cpu ${MESSAGE}`]);
  });

  it("every duplicate is reported, in file order, each once", () => {
    const text = `${VALID}agents:\n  rex: {}\n  cleo: {}\n  rex: {}\n  rex: {}\ngithub: {}\n`;
    const error = configError(() => parseConfigText(text, "c.yaml", {}));
    assert.deepEqual(located(error), [
      `10:3 agents.rex ${MESSAGE}`,
      `11:3 agents.rex ${MESSAGE}`,
      `12:1 github ${MESSAGE}`,
    ]);
  });

  it("keys of the same mapping only: the same key in sibling mappings is fine", () => {
    const config = parseConfigText(`${VALID}agents:\n  rex:\n    cli: codex\n  cleo:\n    cli: codex\n`, "c.yaml", {});
    assert.equal(config.agents.cleo?.cli, "codex");
  });

  it("merge keys: several `<<` and keys overriding merged ones are allowed", () => {
    const config = parseConfigText(
      `${VALID}agents:\n  rex: &agent\n    cli: codex\n  base: &base\n    enabled: true\n` +
        `  cleo:\n    <<: *agent\n    <<: *base\n    cli: claude\n`,
      "c.yaml",
      {},
    );
    assert.equal(config.agents.cleo?.cli, "claude");
    assert.equal(config.agents.cleo?.enabled, true);
  });

  it("a quoted `<<` is an ordinary key, so twice is a duplicate", () => {
    const error = configError(() => parseConfigText(`${VALID}"<<": 1\n"<<": 2\n`, "c.yaml", {}));
    assert.deepEqual(located(error), [`8:1 << ${MESSAGE}`]);
  });

  it("a syntax error after a duplicate: the duplicate is reported first, the rest counted", () => {
    const error = configError(() => parseConfigText(`${VALID}version: "0.2.0"\nplatform: "unclosed\n`, "c.yaml", {}));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.line, 7);
    assert.match(error.issues[0]?.message ?? "", /^YAML syntax error: Map keys must be unique \(and \d+ more after it/);
    assert.equal(error.issues[0]?.hint, FIX);
  });

  it("a syntax error before a duplicate is the one reported", () => {
    const error = configError(() => parseConfigText(`${VALID}\tbad: 1\nversion: "0.2.0"\n`, "c.yaml", {}));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.line, 7);
    assert.match(error.issues[0]?.message ?? "", /^YAML syntax error: Tabs are not allowed/);
  });

  it(`reports at most ${MAX_REPORTED_ISSUES} duplicates and counts the rest`, () => {
    const many = Array.from({ length: MAX_REPORTED_ISSUES + 7 }, () => "  rex: {}\n").join("");
    const error = configError(() => parseConfigText(`${VALID}agents:\n  rex: {}\n${many}`, "c.yaml", {}));
    assert.equal(error.issues.length, MAX_REPORTED_ISSUES + 1);
    assert.equal(error.issues[MAX_REPORTED_ISSUES - 1]?.line, 8 + MAX_REPORTED_ISSUES);
    assert.equal(error.issues[MAX_REPORTED_ISSUES]?.message, "and 7 more duplicate keys not shown");
  });

  it("finds the one duplicate among 20000 keys of one mapping", () => {
    const agents = Array.from({ length: 20_000 }, (_, i) => `  agent-${i}: {}\n`).join("");
    const text = `${VALID}agents:\n${agents}  agent-12345: {}\n`;
    const error = configError(() => parseConfigText(text, "big.yaml", {}));
    assert.deepEqual(located(error), [`20008:3 agents.agent-12345 ${MESSAGE}`]);
    assert.equal(error.issues[0]?.hint, FIX);
  });

  it("agrees with the yaml package's own check on key equality and positions", () => {
    const documents = [
      "a: 1\na: 2\n",
      "a: 1\n&x a: 2\n", // anchored key: located after the anchor
      "a: 1\n!!str a: 2\n", // tagged key
      "? a\n: 1\n? a\n: 2\n", // explicit keys
      ": 1\n: 2\n", // two empty (null) keys
      "~: 1\nnull: 2\n", // both null
      "1: a\n1.0: b\n", // the same number
      "1: a\n'1': b\n", // number and string differ
      "true: a\n'true': b\nTrue: c\n",
      ".nan: 1\n.nan: 2\n", // NaN is never equal to itself
      "{a: 1, b: 2, a: 3}\n",
      "[{a: 1, a: 2}, {a: 1}]\n",
      "- a: 1\n  a: 2\n- a: 1\n",
      "? {a: 1, a: 2}\n: x\n", // inside a complex key
      "? [a]\n: 1\n? [a]\n: 2\n", // collection keys never compare equal
      "b: &b {x: 1}\nc:\n  <<: *b\n  <<: *b\n  x: 2\n",
      '"<<": 1\n"<<": 2\n',
      "x: &a {k: 1}\n*a : 1\n*a : 2\n", // alias keys never compare equal
      "!!omap\n- a: 1\n- b: 2\n",
      "a:\n  b:\n    c: 1\n    c: 2\n  b: 3\na: 4\n",
    ];
    for (const text of documents) {
      const ours = findDuplicateKeys(parseDocument(text, { uniqueKeys: false, merge: true })).map((d) => d.offset);
      assert.deepEqual(ours, packageDuplicateOffsets(text), JSON.stringify(text));
    }
  });

  it("walks a deep document without recursion (no call-stack overflow)", () => {
    // Built node by node: the parser itself cannot read text this deep.
    const depth = 100_000;
    const inner = new YAMLMap();
    inner.items.push(new Pair(new Scalar("a"), new Scalar(1)), new Pair(new Scalar("a"), new Scalar(2)));
    let node: YAMLMap | YAMLSeq = inner;
    for (let i = 0; i < depth; i++) {
      const seq: YAMLSeq = new YAMLSeq();
      seq.items.push(node);
      node = seq;
    }
    const doc = new Document();
    doc.contents = node;
    const duplicates = findDuplicateKeys(doc);
    assert.equal(duplicates.length, 1);
    assert.equal(duplicates[0]?.path.length, depth + 1);
    assert.equal(duplicates[0]?.path[depth], "a");
  });
});
