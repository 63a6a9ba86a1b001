/**
 * "Did you mean …?" for misspelt keys, enum values and names: the closest candidate by edit
 * distance, if it is close enough to be a plausible typo.
 */

/** Levenshtein distance (insertions, deletions, substitutions) between two strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** camelCase / PascalCase / kebab-case → snake_case (`privateKeyPath` → `private_key_path`). */
export function toSnakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/-/g, "_")
    .toLowerCase();
}

/**
 * The candidate closest to `input` (compared case-insensitively and in snake_case), or undefined
 * when none is within a third of the input's length (at least 2 edits).
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const needle = toSnakeCase(input);
  const limit = Math.max(2, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(needle, toSnakeCase(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** "did you mean `x`?" or, without a close match, the list of what is allowed. */
export function suggestion(input: string, candidates: readonly string[], what = "known keys"): string {
  const match = closest(input, candidates);
  if (match !== undefined) return `did you mean \`${match}\`?`;
  return `${what}: ${[...candidates].sort().join(", ")}`;
}
