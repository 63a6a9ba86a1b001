/**
 * Setting one string in a YAML file by editing its text at the node's position, so everything
 * else (comments, blank lines, quoting, indentation, key order) stays exactly as written. A
 * re-serialised document would reformat what the user wrote; this touches only the lines the new
 * value needs.
 *
 * The result is checked before it is returned: the edited text parses, and its data equals the
 * old data with only that one value set. A layout the edit cannot handle (an alias, a merge key,
 * a multi-line scalar) fails that check, and the caller is told to make the edit by hand.
 */
import { isDeepStrictEqual } from "node:util";
import { isMap, isScalar, parse, parseDocument, Scalar, type Document, type Pair, type YAMLMap } from "yaml";
import { findPair } from "./yaml-locate.js";

/** The changed lines of an edit, as a reader sees them in a diff. */
export interface Hunk {
  /** 1-based line of the first changed line in the old text (where the new lines go). */
  line: number;
  removed: string[];
  added: string[];
}

export interface ScalarEdit {
  text: string;
  hunk: Hunk;
}

/** Why an edit could not be made safely; the caller says what to write by hand. */
export class YamlEditError extends Error {}

const PARSE = { uniqueKeys: false, merge: true } as const;

/**
 * `text` with the string at `path` (map keys) set to `value`. A missing key is added to its map;
 * missing maps on the way are not created (the caller picks a path whose parent exists).
 */
export function setYamlString(text: string, path: readonly string[], value: string, comment?: string): ScalarEdit {
  const doc = parseDocument(text, PARSE);
  if (doc.errors.length > 0) throw new YamlEditError(`the file does not parse: ${doc.errors[0]?.message}`);
  const parent = mapAt(doc, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  const pair = findPair(doc, parent, key);
  const next =
    pair && pair.value !== null && pair.value !== undefined
      ? replaceValue(text, pair, value, comment)
      : insertPair(text, parent, key, value, comment);
  checkEdit(doc, next, path, value);
  return { text: next, hunk: hunkOf(text, next) };
}

/** The source text of the scalar at `path` (map keys), undefined when there is none. */
export function scalarSourceAt(text: string, path: readonly string[]): string | undefined {
  const doc = parseDocument(text, PARSE);
  if (doc.errors.length > 0) return undefined;
  let node: unknown = doc.contents;
  for (const key of path) node = findPair(doc, node, key)?.value;
  return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
}

function mapAt(doc: Document, path: readonly string[]): YAMLMap {
  let node: unknown = doc.contents;
  for (const key of path) {
    const pair = findPair(doc, node, key);
    if (!pair) throw new YamlEditError(`${path.join(".")} is not in the file`);
    node = pair.value;
  }
  if (!isMap(node)) throw new YamlEditError(`${path.join(".") || "the document"} is not a mapping`);
  return node;
}

/** The value as YAML, in the existing quoting where that reads back as the same string. */
function formatted(value: string, style?: Scalar.Type): string {
  const candidates =
    style === Scalar.QUOTE_SINGLE ? [`'${value}'`] : style === Scalar.PLAIN ? [value] : [JSON.stringify(value)];
  for (const c of [...candidates, JSON.stringify(value)]) if (parse(c) === value) return c;
  return JSON.stringify(value);
}

/**
 * The value replaced in place. A trailing comment cto wrote (`# set by cto upgrade`) is replaced by
 * `comment`, so it names the command that set the value now; any other comment stays.
 */
function replaceValue(text: string, pair: Pair, value: string, comment?: string): string {
  const node = pair.value;
  if (!isScalar(node) || !node.range) throw new YamlEditError("the current value is not a single scalar");
  const [start, end] = node.range;
  if (end <= start || text.slice(start, end).includes("\n")) {
    throw new YamlEditError("the current value is empty or spans lines");
  }
  const eol = lineEnd(text, end);
  const ours = comment ? /^(\s+#\s*)set by cto [a-z]+\s*$/.exec(text.slice(end, eol)) : null;
  const tail = ours ? `${ours[1]}${comment}` : text.slice(end, eol);
  return text.slice(0, start) + formatted(value, node.type) + tail + text.slice(eol);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl;
}

function insertPair(text: string, map: YAMLMap, key: string, value: string, comment?: string): string {
  const entry = `${key}: ${formatted(value)}`;
  const trailer = comment ? `  # ${comment}` : "";
  if (!map.range) throw new YamlEditError("the mapping has no position in the file");
  if (map.flow) {
    const open = map.range[0];
    if (text[open] !== "{") throw new YamlEditError("the flow mapping does not start with {");
    if (map.items.length > 0) return `${text.slice(0, open + 1)} ${entry},${text.slice(open + 1)}`;
    // `dev: {}` → a block mapping under the key, indented two more than the key's line.
    const keyLine = lineStart(text, open);
    const indent = /^ */.exec(text.slice(keyLine))?.[0].length ?? 0;
    let before = open;
    while (before > keyLine && text[before - 1] === " ") before--;
    const close = text.indexOf("}", open);
    return `${text.slice(0, before)}\n${" ".repeat(indent + 2)}${entry}${trailer}${text.slice(close + 1)}`;
  }
  const first = map.items[0];
  const firstKey = first?.key as { range?: [number, number, number] } | undefined;
  if (!first || !firstKey?.range) throw new YamlEditError("the mapping has no entries to align with");
  const keyStart = firstKey.range[0];
  const start = lineStart(text, keyStart);
  const indent = text.slice(start, keyStart);
  if (!/^ *$/.test(indent)) throw new YamlEditError("the mapping's first key does not start its line");
  const line = `${indent}${entry}${trailer}\n`;
  // After the first entry when it is one line (`version: "0.1.0"`), else before it.
  const firstValue = first.value as { range?: [number, number, number] } | null;
  if (isScalar(firstValue) && firstValue.range && !text.slice(keyStart, firstValue.range[1]).includes("\n")) {
    const end = lineEnd(text, firstValue.range[1]);
    return end === text.length ? `${text}\n${line}` : text.slice(0, end + 1) + line + text.slice(end + 1);
  }
  return text.slice(0, start) + line + text.slice(start);
}

/** The edited text parses to the old data with exactly `path` set to `value`. */
function checkEdit(before: Document, text: string, path: readonly string[], value: string): void {
  const after = parseDocument(text, PARSE);
  if (after.errors.length > 0) throw new YamlEditError(`the edited file would not parse: ${after.errors[0]?.message}`);
  // Through JSON: an alias makes two places one object, and setting one must not set both.
  const expected = JSON.parse(JSON.stringify(before.toJS({ maxAliasCount: 100 }))) as Record<string, unknown>;
  let node: Record<string, unknown> = expected;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1] as string] = value;
  if (!isDeepStrictEqual(after.toJS({ maxAliasCount: 100 }), expected)) {
    throw new YamlEditError("the edit would change more than that one value (an alias or merge key shares it)");
  }
}

/** The lines that differ between two texts (common prefix and suffix removed). */
export function hunkOf(before: string, after: string): Hunk {
  const a = before.split("\n");
  const b = after.split("\n");
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { line: p + 1, removed: a.slice(p, a.length - s), added: b.slice(p, b.length - s) };
}
