/**
 * Template helpers. Each one is a pure function of its arguments and of what the caller handed the
 * engine (environment, random store, secret references): no helper reads `process.env`, the clock
 * or the file system, so a render is a function of its inputs.
 *
 * Only `json` may appear as a top-level mustache in a template (`{{json x}}`); the others compute
 * values and are used inside it, e.g. `{{json (concat "argocd." platform.domain)}}`. That rule,
 * enforced by the engine, is what keeps every inserted value a properly quoted YAML/JSON literal.
 */
import { randomBytes } from "node:crypto";

/** Where a helper call sits in its template (Handlebars passes it as `options.loc`). */
export interface TemplateLocation {
  start: { line: number; column: number };
}

/** A mistake found by a helper; the engine prefixes it with `templates/<file>:<line>:`. */
export class TemplateHelperError extends Error {
  readonly loc?: TemplateLocation;
  readonly hint?: string;

  constructor(message: string, loc?: TemplateLocation, hint?: string) {
    super(message);
    this.name = "TemplateHelperError";
    this.loc = loc;
    this.hint = hint;
  }
}

/**
 * A reference to one key of a Kubernetes Secret. This is what `{{secret ...}}` yields: the Secret
 * is created elsewhere (by the components from stack secrets, or by External Secrets Operator).
 */
export interface SecretKeyRef {
  name: string;
  key: string;
}

/** One Kubernetes Secret the platform expects, with the stack secret feeding each of its keys. */
export interface SecretSpec {
  /** Kubernetes Secret name. */
  name: string;
  namespace: string;
  /** Kubernetes Secret type, e.g. `Opaque` or `kubernetes.io/dockerconfigjson`. */
  type: string;
  /**
   * Keys of the Secret → the name of the stack secret (a `Plan.secretNames` entry or one stored by
   * a later command such as `cto github apps create`) that supplies it.
   */
  keys: Record<string, string>;
  /** True when the Secret holds keys added at run time (`cto secrets set`), beyond `keys`. */
  openKeys: boolean;
}

/** What the helpers may read: passed in by the caller, never taken from globals. */
export interface HelperInputs {
  /** Environment variables visible to `{{env ...}}`. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Stored random values by name. `{{random NAME}}` reads from here and, for a name not yet
   * present, generates a value once and records it here for the caller to persist.
   */
  randomStore: Record<string, string>;
  /** Secrets by purpose ("github-app-rex", "agent-api-keys", ...), for `{{secret ...}}`. */
  secrets: Readonly<Record<string, SecretSpec>>;
  /** Source of randomness for new random values; injectable so tests can fix it. */
  randomSource?: (bytes: number) => Uint8Array;
}

/**
 * Helper names a template may use as a top-level mustache: `json` (a quoted literal) everywhere,
 * and `text` (the string as it is) in Markdown templates (`*.md.hbs`) only.
 */
export function emittingHelpers(templateName: string): ReadonlySet<string> {
  return new Set(templateName.endsWith(".md.hbs") ? ["json", "text"] : ["json"]);
}

/** Block helpers Handlebars provides that templates may use. */
export const BUILTIN_BLOCK_HELPERS: ReadonlySet<string> = new Set(["if", "unless", "each", "with"]);

const RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const RANDOM_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

type Options = { loc?: TemplateLocation; hash?: Record<string, unknown> };

/** Handlebars passes its options object as the last argument; split it from the real arguments. */
function split(args: unknown[]): { params: unknown[]; loc?: TemplateLocation } {
  const options = args[args.length - 1] as Options;
  return { params: args.slice(0, -1), loc: options?.loc };
}

function requireString(value: unknown, what: string, loc?: TemplateLocation): string {
  if (typeof value !== "string" || value === "") {
    throw new TemplateHelperError(`${what} must be a non-empty string, got ${describe(value)}`, loc);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}

/** A value from an alphabet of 36 symbols, rejecting bytes that would bias the draw. */
export function randomToken(length: number, source: (bytes: number) => Uint8Array = randomBytes): string {
  let out = "";
  const limit = 256 - (256 % RANDOM_ALPHABET.length);
  while (out.length < length) {
    for (const byte of source(length * 2)) {
      if (byte < limit && out.length < length) out += RANDOM_ALPHABET[byte % RANDOM_ALPHABET.length];
    }
  }
  return out;
}

/** The helpers, bound to the caller's inputs. */
export function createHelpers(inputs: HelperInputs): Record<string, (...args: unknown[]) => unknown> {
  return {
    /** `{{json value}}`: the value as a JSON literal, which is also a valid YAML 1.2 flow value. */
    json(...args: unknown[]) {
      const { params, loc } = split(args);
      if (params.length !== 1) throw new TemplateHelperError(`json takes exactly one value, got ${params.length}`, loc);
      if (params[0] === undefined) throw new TemplateHelperError("json was given no value", loc);
      return JSON.stringify(params[0]);
    },

    /** `{{text value}}` (Markdown templates only): a string or number as it is. */
    text(...args: unknown[]) {
      const { params, loc } = split(args);
      const [value] = params;
      if (typeof value === "string" || typeof value === "number") return String(value);
      throw new TemplateHelperError(`text expects a string or number, got ${describe(value)}`, loc);
    },

    /** `(concat a b ...)`: strings and numbers joined; a null or missing part is an error. */
    concat(...args: unknown[]) {
      const { params, loc } = split(args);
      return params
        .map((p, i) => {
          if (typeof p === "string" || typeof p === "number") return String(p);
          throw new TemplateHelperError(`concat argument ${i + 1} is ${describe(p)}, expected a string or number`, loc);
        })
        .join("");
    },

    /** `(default value fallback)`: `fallback` when `value` is null or missing. */
    default(...args: unknown[]) {
      const { params, loc } = split(args);
      if (params.length !== 2) throw new TemplateHelperError(`default takes a value and a fallback`, loc);
      return params[0] ?? params[1];
    },

    /** `(eq a b)`: strict equality. */
    eq(...args: unknown[]) {
      const { params } = split(args);
      return params[0] === params[1];
    },

    /** `(or a b ...)`, `(and a b ...)`, `(not a)`: boolean logic for `{{#if}}`. */
    or(...args: unknown[]) {
      return split(args).params.some(Boolean);
    },
    and(...args: unknown[]) {
      return split(args).params.every(Boolean);
    },
    not(...args: unknown[]) {
      return !split(args).params[0];
    },

    /** `(get map key)`: a map entry; a key that is not there is an error, not an empty value. */
    get(...args: unknown[]) {
      const { params, loc } = split(args);
      const [map, key] = params;
      if (map === null || typeof map !== "object")
        throw new TemplateHelperError(`get expects a map, got ${describe(map)}`, loc);
      const name = requireString(key, "get's key", loc);
      if (!Object.hasOwn(map, name)) {
        throw new TemplateHelperError(`missing variable "${name}" in the map given to get`, loc);
      }
      return (map as Record<string, unknown>)[name];
    },

    /**
     * `(versionAtLeast version "1.0.0")`: whether a chart version (`1.2.3`, `v1.2.3`) is at least
     * the given one, for values only some chart versions have. Not a version is an error.
     */
    versionAtLeast(...args: unknown[]) {
      const { params, loc } = split(args);
      const parts = (v: unknown, what: string) => {
        const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(requireString(v, what, loc));
        if (!m) throw new TemplateHelperError(`versionAtLeast: ${describe(v)} is not a version such as 1.2.3`, loc);
        return [Number(m[1]), Number(m[2]), Number(m[3])];
      };
      const a = parts(params[0], "versionAtLeast's version");
      const b = parts(params[1], "versionAtLeast's minimum");
      for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
      return true;
    },

    /** `(includes list value)`: whether an array contains a value. */
    includes(...args: unknown[]) {
      const { params, loc } = split(args);
      if (!Array.isArray(params[0]))
        throw new TemplateHelperError(`includes expects a list, got ${describe(params[0])}`, loc);
      return params[0].includes(params[1]);
    },

    /**
     * `(env "NAME")` or `(env "NAME" "default")`: an environment variable from the caller's `env`.
     * Unset and no default is an error: a template never silently renders an empty value.
     */
    env(...args: unknown[]) {
      const { params, loc } = split(args);
      const name = requireString(params[0], "env's variable name", loc);
      const value = inputs.env[name];
      if (value !== undefined) return value;
      if (params.length >= 2) return params[1];
      throw new TemplateHelperError(
        `environment variable ${name} is not set`,
        loc,
        `set ${name}, or give a default: (env "${name}" "value")`,
      );
    },

    /**
     * `(secret "purpose" "key")`: a reference `{name, key}` to a key of a Kubernetes Secret, never
     * its value; `(secret "purpose")`: the Secret's name. The purpose and key must be among the platform's secrets (templates/platform/secrets.yaml.hbs).
     */
    secret(...args: unknown[]) {
      const { params, loc } = split(args);
      const purpose = requireString(params[0], "secret's purpose", loc);
      const spec = inputs.secrets[purpose];
      if (!spec) {
        const known = Object.keys(inputs.secrets).sort().join(", ") || "none";
        throw new TemplateHelperError(`unknown secret "${purpose}" (known: ${known})`, loc);
      }
      if (params.length === 1) return spec.name;
      const key = requireString(params[1], "secret's key", loc);
      if (!spec.openKeys && !(key in spec.keys)) {
        const known = Object.keys(spec.keys).sort().join(", ");
        throw new TemplateHelperError(`secret "${purpose}" has no key "${key}" (keys: ${known})`, loc);
      }
      return { name: spec.name, key } satisfies SecretKeyRef;
    },

    /**
     * `(random "name")` or `(random "name" 24)`: a lowercase alphanumeric value that is generated
     * once, recorded in the caller's store and reused on every later render. Not for secrets:
     * rendered output may be written to disk; secrets come from `secret`.
     */
    random(...args: unknown[]) {
      const { params, loc } = split(args);
      const name = requireString(params[0], "random's name", loc);
      if (!RANDOM_NAME.test(name)) {
        throw new TemplateHelperError(`random name "${name}" must be lowercase letters, digits, '.', '_' or '-'`, loc);
      }
      const length = params.length >= 2 ? params[1] : 16;
      if (typeof length !== "number" || !Number.isInteger(length) || length < 4 || length > 64) {
        throw new TemplateHelperError(
          `random length must be a whole number from 4 to 64, got ${describe(length)}`,
          loc,
        );
      }
      const stored = inputs.randomStore[name];
      if (stored !== undefined) return stored;
      const value = randomToken(length, inputs.randomSource);
      inputs.randomStore[name] = value;
      return value;
    },
  };
}
