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
      issue.message.includes("Maximum call stack size exceeded")
        ? {
            ...issue,
            message: "is nested too deeply to read (lists or mappings inside one another, hundreds of levels deep)",
            hint: "a cto.yaml nests a few levels; check that this is the file you meant",
          }
        : issue,
    ),
  );
}
