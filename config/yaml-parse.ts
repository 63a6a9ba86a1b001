/**
 * YAML text → value checked against a zod schema, with every problem located for humans:
 * YAML syntax errors and schema issues become `ConfigIssue`s with file:line:column, the dotted
 * config path, what was expected and what was found, and "did you mean" for misspelt keys.
 * All issues are collected and thrown together as one `ConfigError`.
 *
 * Used for `cto.yaml` (with `${VAR}` interpolation and camelCase keys accepted) and for the
 * bundled profile files (neither).
 */
import { Buffer } from "node:buffer";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { interpolateString, retypePlainScalar } from "./interpolate.js";
import { isSecretPath } from "./redact.js";
import { childSchema, objectKeys, schemaAt } from "./shape.js";
import { closest, suggestion, toSnakeCase } from "./suggest.js";
import { findDuplicateKeys } from "./yaml-duplicate-keys.js";
import { locate } from "./yaml-locate.js";

/** Largest YAML file we read: configs are a few KiB; anything near this is a mistake or an attack. */
export const MAX_YAML_BYTES = 1024 * 1024;
/**
 * Alias expansion budget passed to the yaml package's `toJS` (it refuses documents whose aliases
 * expand beyond it), so a "billion laughs" file is refused in milliseconds.
 */
export const MAX_ALIAS_COUNT = 100;

/** Schema problems located and reported per file; the rest are counted. */
export const MAX_REPORTED_ISSUES = 50;

/** The yaml package's wording for a duplicate key, kept now that we detect duplicates ourselves. */
const DUPLICATE_KEY_MESSAGE = "Map keys must be unique";
const DUPLICATE_KEY_FIX = "each key may appear once per mapping; remove or merge the duplicate";

export interface ParseYamlOptions {
  /** Environment for `${VAR}` interpolation; interpolation is off when absent. */
  env?: NodeJS.ProcessEnv;
  /** Accept camelCase spellings of the schema's keys and rename them to snake_case. */
  acceptCamelCase?: boolean;
  /** What the file is, for the empty-file message ("a cto.yaml", "a profile"). */
  kind?: string;
}

type Segment = string | number;

/** Parses `text` (from `file`) and validates it with `schema`; throws `ConfigError` listing every issue. */
export function parseYamlWithSchema<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  options: ParseYamlOptions = {},
): z.infer<S> {
  return parseYamlLocated(text, file, schema, options).value;
}

/** A validated document plus a way to locate paths in it, for checks beyond the schema. */
export interface LocatedDocument<T> {
  value: T;
  /** file, line, column and dotted path of a config path (its key with `atKey`). */
  at: (path: readonly Segment[], atKey?: boolean) => Omit<ConfigIssue, "message">;
}

/** Like `parseYamlWithSchema`, and also returns a locator for later, cross-field checks. */
export function parseYamlLocated<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  options: ParseYamlOptions = {},
): LocatedDocument<z.infer<S>> {
  const kind = options.kind ?? "a YAML file";
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_YAML_BYTES) {
    throw new ConfigError([
      {
        file,
        path: "",
        message: `is ${size} bytes; ${kind} may be at most ${MAX_YAML_BYTES} bytes (1 MiB)`,
        hint: "check that this is the file you meant",
      },
    ]);
  }

  const lineCounter = new LineCounter();
  // Duplicate keys are found by findDuplicateKeys in one pass: the package's own check
  // (uniqueKeys: true) is quadratic per mapping, ~5 s for a mapping of 20000 keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  const duplicates = findDuplicateKeys(doc);
  if (doc.errors.length > 0) {
    // The first syntax error is the one to fix: the parser's later errors are mostly its echoes.
    // A duplicate key before it comes first, as it did when the package reported duplicates.
    const parserError = doc.errors[0] as (typeof doc.errors)[number];
    const duplicate = duplicates[0];
    const error =
      duplicate && duplicate.offset < parserError.pos[0]
        ? { offset: duplicate.offset, code: "DUPLICATE_KEY", message: DUPLICATE_KEY_MESSAGE }
        : { offset: parserError.pos[0], code: parserError.code as string, message: parserError.message };
    const { line, col } = lineCounter.linePos(error.offset);
    const more = doc.errors.length + duplicates.length - 1;
    const fix =
      error.code === "DUPLICATE_KEY"
        ? DUPLICATE_KEY_FIX
        : "check the indentation and quoting on this line and the one before it" +
          (error.code === "UNEXPECTED_TOKEN" || /flow/i.test(error.message)
            ? " (inside { } or [ ], quote values that contain { } [ ] , or ${VAR})"
            : "");
    throw new ConfigError([
      {
        file,
        line,
        column: col,
        path: "",
        message: `YAML syntax error: ${firstLine(error.message)}${more > 0 ? ` (and ${more} more after it, often caused by this one)` : ""}`,
        hint: fix,
      },
    ]);
  }
  if (duplicates.length > 0) {
    // Each duplicate is its own mistake: locate every one (up to the usual limit) at its key.
    const issues: ConfigIssue[] = duplicates.slice(0, MAX_REPORTED_ISSUES).map((duplicate) => {
      const { line, col } = lineCounter.linePos(duplicate.offset);
      const message = `YAML syntax error: ${DUPLICATE_KEY_MESSAGE}`;
      return { file, line, column: col, path: dotted(duplicate.path), message, hint: DUPLICATE_KEY_FIX };
    });
    const more = duplicates.length - MAX_REPORTED_ISSUES;
    if (more > 0) {
      issues.push({
        file,
        path: "",
        message: `and ${more} more duplicate key${more === 1 ? "" : "s"} not shown`,
        hint: "fix the ones above and validate again",
      });
    }
    throw new ConfigError(issues);
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError([
      { file, line: 1, column: 1, path: "", message: `is empty; expected ${kind} (a YAML mapping)` },
    ]);
  }
  if (!isMap(doc.contents)) {
    const { line, col } = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
    throw new ConfigError([
      {
        file,
        line,
        column: col,
        path: "",
        message: `expected a mapping of keys to values at the top level, found ${isSeq(doc.contents) ? "a list" : "a single value"}`,
      },
    ]);
  }

  const issues: ConfigIssue[] = [];
  const at = (path: readonly Segment[], atKey = false) => {
    const { line, column } = locate(doc, lineCounter, path, { atKey });
    return { file, line, column, path: dotted(path) };
  };

  // Paths with a problem already reported; schema issues at or under them would only repeat it.
  const reportedPaths = new Set<string>();
  if (options.acceptCamelCase) normaliseKeys(doc, doc.contents, schema, [], issues, reportedPaths, at);
  if (options.env) interpolate(doc.contents, [], options.env, issues, reportedPaths, at);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const unresolved = error instanceof ReferenceError ? /^Unresolved alias.*: (.+)$/.exec(error.message) : null;
    if (unresolved) {
      issues.push({
        file,
        line: 1,
        column: 1,
        path: "",
        message: `YAML alias \`*${unresolved[1]}\` refers to no anchor \`&${unresolved[1]}\` defined before it`,
        hint: `define \`&${unresolved[1]}\` earlier in the file, or write the value out`,
      });
      throw new ConfigError(issues);
    }
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      issues.push({
        file,
        line: 1,
        column: 1,
        path: "",
        message: `YAML aliases expand beyond the limit of ${MAX_ALIAS_COUNT}; refusing a file that grows exponentially when read`,
        hint: "write the repeated values out, or use fewer nested aliases",
      });
      throw new ConfigError(issues);
    }
    throw error;
  }

  const result = schema.safeParse(data);
  if (!result.success) {
    // Locating an issue costs a walk of the document: a file with thousands of mistakes would take
    // minutes and print megabytes, so only the first MAX_REPORTED_ISSUES are located and shown.
    const raw = result.error.issues;
    const mapped = raw.slice(0, MAX_REPORTED_ISSUES).flatMap((issue) => mapIssue(issue, schema, data, at));
    // A misspelt required key is one mistake: keep "unknown key `organisation`, did you mean
    // `organization`?" and drop the "organization is required" it causes.
    const suggestedPaths = new Set(mapped.flatMap((i) => (i.suggestedPath ? [i.suggestedPath] : [])));
    for (const { suggestedPath: _, ...issue } of mapped) {
      const shadowed = [...reportedPaths].some((p) => issue.path === p || issue.path.startsWith(`${p}.`));
      const causedByTypo = issue.message.startsWith("is required") && suggestedPaths.has(issue.path);
      if (!shadowed && !causedByTypo) issues.push(issue);
    }
  }
  if (issues.length > 0) {
    const sorted = sortIssues(issues);
    const more = result.success ? 0 : result.error.issues.length - MAX_REPORTED_ISSUES;
    if (more > 0) {
      sorted.push({
        file,
        path: "",
        message: `and ${more} more problem${more === 1 ? "" : "s"} not shown`,
        hint: "fix the ones above and validate again",
      });
    }
    throw new ConfigError(sorted);
  }
  return { value: result.data as z.infer<S>, at };
}

type At = (path: readonly Segment[], atKey?: boolean) => Omit<ConfigIssue, "message">;

/** Renames camelCase keys the schema knows in snake_case; both spellings at once is an issue. */
function normaliseKeys(
  doc: Document,
  node: unknown,
  schema: z.ZodType | undefined,
  path: Segment[],
  issues: ConfigIssue[],
  reportedPaths: Set<string>,
  at: At,
): void {
  if (!schema || isAlias(node)) return;
  if (isSeq(node)) {
    node.items.forEach((item, index) =>
      normaliseKeys(doc, item, childSchema(schema, index), [...path, index], issues, reportedPaths, at),
    );
    return;
  }
  if (!isMap(node)) return;
  const known = objectKeys(schema);
  const present = new Set(node.items.map((pair) => (isScalar(pair.key) ? pair.key.value : undefined)));
  for (const pair of node.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string") continue;
    let key = pair.key.value;
    if (known && !known.includes(key) && key !== "<<") {
      const snake = toSnakeCase(key);
      if (snake !== key && known.includes(snake)) {
        if (present.has(snake)) {
          issues.push({
            ...at([...path, key], true),
            message: `\`${key}\` and \`${snake}\` are the same key (camelCase and snake_case spellings)`,
            hint: `keep only \`${snake}\``,
          });
          reportedPaths.add(dotted([...path, key]));
          continue;
        }
        pair.key.value = snake;
        key = snake;
      }
    }
    normaliseKeys(doc, pair.value, childSchema(schema, key), [...path, key], issues, reportedPaths, at);
  }
}

/** Replaces `${VAR}` references in every scalar value (not keys) of the document. */
function interpolate(
  node: unknown,
  path: Segment[],
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
  reportedPaths: Set<string>,
  at: At,
): void {
  if (isAlias(node)) return; // resolved where its anchor is
  if (isSeq(node)) {
    node.items.forEach((item, index) => interpolate(item, [...path, index], env, issues, reportedPaths, at));
    return;
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? (pair.key.value as Segment) : String(pair.key);
      interpolate(pair.value, [...path, key], env, issues, reportedPaths, at);
    }
    return;
  }
  if (!isScalar(node) || typeof node.value !== "string") return;
  const result = interpolateString(node.value, env);
  if (!result.interpolated) return;
  for (const name of result.missing) {
    reportedPaths.add(dotted(path));
    issues.push({
      ...at(path),
      message: `environment variable ${name} is not set`,
      hint: `set ${name}, or give a default: \${${name}:-value}`,
    });
  }
  for (const text of result.malformed) {
    reportedPaths.add(dotted(path));
    issues.push({
      ...at(path),
      message: `\`${text}\` is not a valid reference`,
      hint: "write ${NAME} or ${NAME:-default} (NAME: letters, digits and _); write $${ for a literal ${",
    });
  }
  if (result.missing.length === 0 && result.malformed.length === 0) {
    node.value = node.type === Scalar.PLAIN ? retypePlainScalar(result.value) : result.value;
  }
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  keys?: string[];
  values?: unknown[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  format?: string;
  issues?: ZodIssueLike[];
  errors?: ZodIssueLike[][];
}

/** A mapped issue; for an unknown key with a close match, the path of the key it probably meant. */
type MappedIssue = ConfigIssue & { suggestedPath?: string };

/** One zod issue → one or more located, human-worded issues. */
function mapIssue(raw: unknown, root: z.ZodType, data: unknown, at: At): MappedIssue[] {
  const issue = raw as ZodIssueLike;
  const path = issue.path.filter((p): p is Segment => typeof p === "string" || typeof p === "number");
  const value = valueAt(data, path);
  const found = describe(value, isSecretPath(dotted(path)));

  switch (issue.code) {
    case "unrecognized_keys": {
      const known = objectKeys(schemaAt(root, path) ?? root) ?? [];
      return (issue.keys ?? []).map((key) => {
        const near = closest(key, known);
        return {
          ...at([...path, key], true),
          message: `unknown key \`${key}\``,
          hint: suggestion(key, known, "allowed keys here"),
          ...(near ? { suggestedPath: dotted([...path, near]) } : {}),
        };
      });
    }
    case "invalid_type": {
      const expected = typeName(issue.expected);
      if (value === undefined) return [{ ...at(path), message: `is required: expected ${expected}, found nothing` }];
      const yamlBoolean =
        issue.expected === "boolean" && typeof value === "string" && /^(yes|no|on|off|y|n)$/i.test(value);
      return [
        {
          ...at(path),
          message: `expected ${expected}, found ${found}`,
          ...(yamlBoolean ? { hint: "write true or false (YAML 1.2 reads yes/no/on/off as text)" } : {}),
        },
      ];
    }
    case "invalid_union": {
      const branches = issue.errors ?? [];
      const typed = branches.find((b) => b.length > 0 && b.every((i) => i.code !== "invalid_type"));
      if (typed?.[0]) return mapIssue({ ...typed[0], path: [...issue.path, ...typed[0].path] }, root, data, at);
      const expected = [...new Set(branches.map((b) => typeName(b[0]?.expected)))].join(" or ");
      return [{ ...at(path), message: `expected ${expected}, found ${found}` }];
    }
    case "invalid_value": {
      const allowed = (issue.values ?? []).map((v) => String(v));
      const near = typeof value === "string" ? closest(value, allowed) : undefined;
      return [
        {
          ...at(path),
          message: `expected one of ${allowed.join(", ")}; found ${found}`,
          ...(near ? { hint: `did you mean \`${near}\`?` } : {}),
        },
      ];
    }
    case "invalid_key": {
      const key = String(path[path.length - 1]);
      const inner = issue.issues?.[0];
      return [{ ...at(path, true), message: `\`${key}\` is not a valid name: ${inner ? wording(inner) : "invalid"}` }];
    }
    default:
      return [{ ...at(path), message: `${wording(issue)}; found ${found}` }];
  }
}

/** A zod message in our words: schema messages starting with "must" are ours already. */
function wording(issue: ZodIssueLike): string {
  if (issue.message.startsWith("must")) return issue.message;
  const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " items" : "";
  switch (issue.code) {
    case "too_small":
      return issue.origin === "number"
        ? `must be at least ${issue.minimum}`
        : `must have at least ${issue.minimum}${unit}`;
    case "too_big":
      return issue.origin === "number"
        ? `must be at most ${issue.maximum}`
        : `must have at most ${issue.maximum}${unit}`;
    case "invalid_format":
      return `must be a valid ${issue.format === "url" ? "URL" : (issue.format ?? "value")}`;
    case "not_multiple_of":
      return "must be a whole number";
    default:
      return issue.message;
  }
}

function typeName(expected: string | undefined): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "object":
    case "record":
    case "map":
      return "a mapping";
    case "array":
      return "a list";
    default:
      return expected ?? "a value";
  }
}

/** How a found value is shown; secret values are described by length only. */
export function describe(value: unknown, secret = false): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  // A secret of the wrong type (a numeric password) is still a secret: name the type only.
  if (secret) return typeof value === "string" ? `a value of ${value.length} characters` : `a ${typeof value}`;
  if (typeof value === "string") {
    // Key material pasted into the wrong field (e.g. a PEM into private_key_path) is never echoed.
    if (/-----BEGIN|\n/.test(value)) return `a multi-line value of ${value.length} characters (not shown)`;
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "number") return `the number ${value}`;
  return String(value);
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** `github.apps.rex.id`, `cluster.nodes[0].host`. */
export function dotted(path: readonly Segment[]): string {
  return path.reduce<string>((acc, segment) => {
    if (typeof segment === "number") return `${acc}[${segment}]`;
    return acc === "" ? segment : `${acc}.${segment}`;
  }, "");
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const key = `${i.line}:${i.column}:${i.path}:${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "").trim();
}
