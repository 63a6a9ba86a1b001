/**
 * Stable serialisation: the same data gives the same bytes, whatever order keys were added in.
 * Map keys are sorted by code unit order (not locale), arrays keep their order.
 */
import { stringify as stringifyYaml } from "yaml";

/** A deep copy with every object's keys sorted. */
export function sortDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortDeep(v)) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortDeep(v)])) as T;
  }
  return value;
}

/** JSON with sorted keys, two-space indent and a final newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortDeep(value), null, 2)}\n`;
}

/** YAML with sorted keys; strings that could be read as another type are quoted. */
export function stableYaml(value: unknown): string {
  return stringifyYaml(sortDeep(value), { lineWidth: 0, sortMapEntries: true, aliasDuplicateObjects: false });
}

/** Several YAML documents in one file, separated by `---`. */
export function stableYamlDocuments(values: unknown[]): string {
  return values.map((v) => stableYaml(v)).join("---\n");
}
