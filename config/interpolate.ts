/**
 * `${VAR}` and `${VAR:-default}` in config values, resolved from an environment map.
 *
 * - `${VAR}`: the variable's value; unset is an error (reported with the config path by the loader).
 * - `${VAR:-default}`: the default when VAR is unset or empty (as in POSIX shells).
 * - `$${` is a literal `${` (for values that must contain the characters themselves).
 *
 * Only values are interpolated, never keys. The default is taken literally (no nesting).
 */

export interface InterpolationResult {
  /** The text with every resolvable reference replaced. */
  value: string;
  /** Whether the text contained any `${...}` reference (resolved or not). */
  interpolated: boolean;
  /** Variables referenced without a default and not set, in order of appearance, without repeats. */
  missing: string[];
  /** References that are not `${NAME}` or `${NAME:-default}`, as written. */
  malformed: string[];
}

const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** Replaces `${VAR}` / `${VAR:-default}` in `text` with values from `env`. */
export function interpolateString(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  const missing: string[] = [];
  const malformed: string[] = [];
  let interpolated = false;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    if (text.startsWith("$${", dollar)) {
      out += "${";
      i = dollar + 3;
      continue;
    }
    if (text[dollar + 1] !== "{") {
      out += "$";
      i = dollar + 1;
      continue;
    }
    interpolated = true;
    const close = text.indexOf("}", dollar + 2);
    if (close === -1) {
      malformed.push(text.slice(dollar));
      out += text.slice(dollar);
      break;
    }
    const inner = text.slice(dollar + 2, close);
    const match = VARIABLE.exec(inner);
    if (!match) {
      malformed.push(text.slice(dollar, close + 1));
      out += text.slice(dollar, close + 1);
    } else {
      const name = match[1] as string;
      const fallback = match[2];
      const value = env[name];
      if (fallback !== undefined) {
        out += value === undefined || value === "" ? fallback : value;
      } else if (value === undefined) {
        if (!missing.includes(name)) missing.push(name);
        out += text.slice(dollar, close + 1);
      } else {
        out += value;
      }
    }
    i = close + 1;
  }
  return { value: out, interpolated, missing, malformed };
}

/**
 * How an unquoted YAML scalar that became `text` after interpolation would have been typed had it
 * been written literally (YAML 1.2 core schema: booleans, null, integers, floats); quoted scalars
 * stay strings. So `replicas: ${N}` gives a number and `enabled: ${ON:-true}` a boolean.
 */
export function retypePlainScalar(text: string): string | number | boolean | null {
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)?$/.test(text)) return null;
  if (/^[-+]?[0-9]+$/.test(text)) return Number.parseInt(text, 10);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number.parseFloat(text);
  return text;
}
