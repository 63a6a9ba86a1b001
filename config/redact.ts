/**
 * Secret-aware printing: which config paths hold secrets, and a copy of a config with them
 * replaced by `"<redacted>"` for `cto config show` and logs.
 */
import { SECRET_PATHS } from "./schema.js";

export const REDACTED = "<redacted>";

/** Whether a dotted config path (e.g. `github.apps.rex.private_key`) is one of `SECRET_PATHS`. */
export function isSecretPath(path: string): boolean {
  const segments = path.split(".");
  return SECRET_PATHS.some((pattern) => {
    const parts = pattern.split(".");
    return parts.length === segments.length && parts.every((p, i) => p === "*" || p === segments[i]);
  });
}

/** A deep copy of `config` in which every present secret value is `"<redacted>"`. */
export function redactConfig<T>(config: T): T {
  return redactAt(config, []) as T;
}

function redactAt(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => redactAt(item, [...path, String(i)]));
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      copy[key] = child !== undefined && isSecretPath(childPath.join(".")) ? REDACTED : redactAt(child, childPath);
    }
    return copy;
  }
  return value;
}
