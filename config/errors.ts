/**
 * One error class for user mistakes: printed without a stack trace, exit code 2 by default.
 * Anything that is not a `UserError` is a bug: the CLI prints its stack and where to report it.
 */

/** One problem found in a config or profile file, located as precisely as we can. */
export interface ConfigIssue {
  /** File the problem is in. */
  file: string;
  /** 1-based line and column in that file, when known. */
  line?: number;
  column?: number;
  /** Dotted config path such as `github.apps.rex.private_key_path`; "" for the document. */
  path: string;
  /** What was wrong: expected vs found. */
  message: string;
  /** How to fix it, e.g. "did you mean `mail_notifications`?". */
  hint?: string;
}

export class UserError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "UserError";
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

/** Several problems in one file, reported together. */
export class ConfigError extends UserError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** `file:line:col  path: message (hint)` — one line per issue, with a count header. */
export function formatIssues(issues: ConfigIssue[]): string {
  const header = issues.length === 1 ? "1 problem found:" : `${issues.length} problems found:`;
  const lines = issues.map((i) => {
    const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
    const path = i.path === "" ? "" : ` ${i.path}:`;
    const hint = i.hint ? `\n      fix: ${i.hint}` : "";
    return `  ${where}${path} ${i.message}${hint}`;
  });
  return [header, ...lines].join("\n");
}
