/**
 * Duplicate mapping keys in a parsed YAML document, found in one pass.
 *
 * The yaml package's own check (`uniqueKeys: true`) compares each new key with every earlier key
 * of its mapping: quadratic, ~5 s for a mapping of 20000 keys. Here each mapping keeps a Set of
 * its scalar key values instead. Equality is the package's: two scalar keys are the same when
 * their resolved values are `===` (so `1` and `1.0` collide, `1` and `'1'` do not); keys that
 * are not scalars (collections, aliases) never collide. Merge keys (`<<` with `merge: true`)
 * resolve to a fresh symbol each, so several `<<` in one mapping are allowed, as are keys that
 * override merged ones: the merged mapping's keys are not the mapping's own.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";

type Segment = string | number;

/** A key that already appeared earlier in the same mapping. */
export interface DuplicateKey {
  /** Offset of the duplicate (second or later) key in the source text. */
  offset: number;
  /** Config path of the duplicate key, e.g. `["agents", "rex"]`. */
  path: Segment[];
}

/** A path as a linked list, so deep documents do not copy a path array per node. */
interface PathLink {
  parent: PathLink | undefined;
  segment: Segment;
}

function toArray(link: PathLink | undefined): Segment[] {
  const path: Segment[] = [];
  for (let at = link; at; at = at.parent) path.push(at.segment);
  return path.reverse();
}

/**
 * Every duplicate key of `doc`, in source order. Iterative (an explicit stack), so nesting depth
 * is limited by memory, not the call stack.
 */
export function findDuplicateKeys(doc: Document): DuplicateKey[] {
  const duplicates: DuplicateKey[] = [];
  const stack: { node: unknown; path: PathLink | undefined }[] = [{ node: doc.contents, path: undefined }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, path } = item;
    if (isAlias(node) || isScalar(node)) continue;
    if (isSeq(node)) {
      // A sequence's items are nodes, or pairs in `!!pairs` / `!!omap` (the omap tag checks its own keys).
      node.items.forEach((child, index) => {
        const link = { parent: path, segment: index };
        if (isPair(child)) {
          stack.push({ node: child.key, path: link });
          stack.push({ node: child.value, path: link });
        } else stack.push({ node: child, path: link });
      });
      continue;
    }
    if (!isMap(node)) continue;
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      let link = path;
      if (isScalar(key)) {
        link = { parent: path, segment: typeof key.value === "string" ? key.value : String(key.value) };
        // NaN !== NaN: the package never calls two `.nan` keys the same, and neither do we.
        const comparable = !(typeof key.value === "number" && Number.isNaN(key.value));
        if (comparable && seen.has(key.value)) {
          duplicates.push({ offset: key.range?.[0] ?? 0, path: toArray(link) });
        } else if (comparable) seen.add(key.value);
      } else {
        // A collection used as a key has its own mappings to check.
        stack.push({ node: key, path });
      }
      stack.push({ node: pair.value, path: link });
    }
  }
  return duplicates.sort((a, b) => a.offset - b.offset);
}
