/**
 * Loading `cto.yaml`: read (size-limited), parse with positions, accept camelCase keys, resolve
 * `${VAR}` references, validate with the schema. Every problem is reported at once as a
 * `ConfigError` (exit code 2); nothing else happens on failure.
 */
import { readFile, stat } from "node:fs/promises";
import { ConfigError, UserError } from "./errors.js";
import { ctoConfigSchema, type CtoConfig } from "./schema.js";
import { MAX_YAML_BYTES, parseYamlWithSchema } from "./yaml-parse.js";

export interface LoadConfigOptions {
  /** Environment for `${VAR}` interpolation. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads and validates a `cto.yaml`.
 * @throws UserError when the file cannot be read; ConfigError listing every problem in it.
 */
export async function loadConfig(file: string, opts: LoadConfigOptions = {}): Promise<CtoConfig> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw new UserError(`${file} is not a file`, { hint: "pass the path of a cto.yaml with -f FILE" });
    size = info.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new UserError(`config file ${file} not found`, {
        hint: "create one with `cto init`, or pass another file with -f FILE",
      });
    }
    throw new UserError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (size > MAX_YAML_BYTES) {
    throw new ConfigError([
      {
        file,
        path: "",
        message: `is ${size} bytes; a cto.yaml may be at most ${MAX_YAML_BYTES} bytes (1 MiB)`,
        hint: "check that this is the file you meant",
      },
    ]);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseConfigText(text, file, opts);
}

/** Validates `cto.yaml` text; `file` is only used in messages. Synchronous, for tests and `cto init`. */
export function parseConfigText(text: string, file: string, opts: LoadConfigOptions = {}): CtoConfig {
  const deep = tooDeep(text);
  if (deep) throw new ConfigError([{ file, line: deep.line, column: deep.column, path: "", ...NESTED_TOO_DEEPLY }]);
  try {
    return parseYamlWithSchema(text, file, ctoConfigSchema, {
      env: opts.env ?? process.env,
      acceptCamelCase: true,
      kind: "a cto.yaml",
    });
  } catch (error) {
    throw error instanceof ConfigError ? explainStackOverflow(error) : error;
  }
}

const NESTED_TOO_DEEPLY = {
  message: "is nested too deeply to read (lists or mappings inside one another, hundreds of levels deep)",
  hint: "a cto.yaml nests a few levels; check that this is the file you meant",
};

/** Flow brackets open at once / indentation columns beyond which a file is refused before parsing. */
const MAX_FLOW_DEPTH = 256;
const MAX_INDENT = 512;

/**
 * A cheap scan for absurd nesting, so such a file is refused in milliseconds rather than after the
 * parser has recursed until it runs out of stack (seconds). Quotes are not tracked (a bracket in a
 * string counts too); real configs are far below both limits. Whatever slips past is still caught
 * by `explainStackOverflow`.
 */
function tooDeep(text: string): { line: number; column: number } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      line++;
      lineStart = i + 1;
      const indent = /^[ \t-]*/.exec(text.slice(lineStart, lineStart + MAX_INDENT + 1))?.[0].length ?? 0;
      if (indent > MAX_INDENT) return { line, column: indent };
    } else if (c === "[" || c === "{") {
      if (++depth > MAX_FLOW_DEPTH) return { line, column: i - lineStart + 1 };
    } else if ((c === "]" || c === "}") && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/**
 * The YAML parser recurses once per nesting level and reports running out of stack (a few
 * hundred indentation levels or thousands of brackets, well within the size limit) as a syntax
 * error reading "Maximum call stack size exceeded": say what it means instead.
 * (Found by the hostile-input drill, test/drills/corpus/huge-nesting.yaml.)
 */
function explainStackOverflow(error: ConfigError): ConfigError {
  if (!error.issues.some((i) => i.message.includes("Maximum call stack size exceeded"))) return error;
  return new ConfigError(
    error.issues.map((issue) =>
      issue.message.includes("Maximum call stack size exceeded") ? { ...issue, ...NESTED_TOO_DEEPLY } : issue,
    ),
  );
}
