/**
 * Finding where a config path is in a YAML document, for error messages with line:column.
 * Follows aliases and `<<` merge keys, and falls back to the deepest node that exists.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from "yaml";

export interface Located {
  line: number;
  column: number;
  /** Whether the whole path exists in the document (otherwise the position is its parent's). */
  exact: boolean;
}

type PathSegment = string | number;

function resolveAlias(doc: Document, node: unknown): unknown {
  let current = node;
  for (let guard = 0; guard < 50 && isAlias(current); guard++) current = current.resolve(doc);
  return current;
}

/** The pair of `map` whose key is `key`, looking through `<<` merge keys. */
export function findPair(doc: Document, map: unknown, key: PathSegment, depth = 0): Pair | undefined {
  const resolved = resolveAlias(doc, map);
  if (!isMap(resolved) || depth > 20) return undefined;
  for (const pair of resolved.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (k === key || (typeof k === "number" && String(k) === String(key))) return pair;
  }
  for (const pair of resolved.items) {
    if (isScalar(pair.key) && pair.key.value === "<<") {
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        const found = findPair(doc, source, key, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * Position of `path` in `doc`: the value's start, or with `atKey` the key's start (for unknown
 * keys). When the path does not exist, the position of the deepest part that does.
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  options: { atKey?: boolean } = {},
): Located {
  let node: unknown = doc.contents;
  let position = (node as Node | null)?.range?.[0] ?? 0;
  let exact = true;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const container = resolveAlias(doc, node);
    let next: unknown;
    let keyNode: unknown;
    if (isMap(container)) {
      const pair = findPair(doc, container, segment);
      next = pair?.value;
      keyNode = pair?.key;
    } else if (isSeq(container) && typeof segment === "number") {
      next = container.items[segment];
    }
    if (next === undefined && keyNode === undefined) {
      exact = false;
      break;
    }
    const last = i === path.length - 1;
    const keyStart = (keyNode as Node | undefined)?.range?.[0];
    const valueStart = (next as Node | null | undefined)?.range?.[0];
    position = last && options.atKey && keyStart !== undefined ? keyStart : (valueStart ?? keyStart ?? position);
    node = next;
  }
  const { line, col } = lineCounter.linePos(position);
  return { line, column: col, exact };
}
