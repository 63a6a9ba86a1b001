/**
 * A small GitHub REST client: one base URL (api.github.com or a GitHub Enterprise Server's
 * `https://HOST/api/v3`), JSON in and out, and patience with rate limits.
 *
 * Rate-limited requests (403/429 with `retry-after` or `x-ratelimit-*`, see `rate-limit.ts`) are
 * retried after the wait GitHub asks for, and each wait is announced through `onWait` with what
 * is being waited for. Network errors and 5xx answers are retried with exponential backoff.
 * Credentials travel only in the Authorization header; paths that contain one-time codes are
 * shown in messages with the code replaced (`display`).
 */
import { UserError } from "../../config/errors.js";
import { formatWait, rateLimitWait } from "./rate-limit.js";

export type GitHubAuth = { kind: "none" } | { kind: "token"; token: string } | { kind: "jwt"; jwt: string };

export interface GitHubApiOptions {
  /** REST API base URL, e.g. https://api.github.com or https://ghe.acme.example/api/v3. */
  baseUrl: string;
  /** Retries after a rate limit or a transient failure. Default 5. */
  maxRetries?: number;
  /** Longest single wait accepted before giving up with an explanation. Default 15 minutes. */
  maxWaitMs?: number;
  /** Called before each wait with a sentence saying what for and how long. */
  onWait?: (message: string) => void;
  /** Injectable for tests. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
}

export interface RequestOptions {
  auth?: GitHubAuth;
  body?: unknown;
  query?: Record<string, string | number>;
  /** The path as shown in messages, when the real one holds a secret. */
  display?: string;
  /**
   * Retry after a network error, a timeout or a 5xx. Default true. Turn off for requests that
   * must not run twice (the single-use manifest conversion): a lost answer is then thrown as
   * `GitHubNoAnswerError`. A rate-limited request is still retried: GitHub did not carry it out.
   */
  retry?: boolean;
}

/** A request that may or may not have been carried out: no answer (network, timeout) or a 5xx. */
export class GitHubNoAnswerError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${method} ${path}: ${reason}`);
    this.name = "GitHubNoAnswerError";
  }
}

/** A non-2xx answer GitHub gave, after retries. */
/**
 * GitHub refused a call. A `UserError` (exit 1) with what to check, so a call that no caller
 * handles reaches the user as GitHub's answer and a fix, never as a bug report.
 */
export class GitHubHttpError extends UserError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly githubMessage: string,
  ) {
    super(`${method} ${path}: GitHub answered ${status}${githubMessage ? ` (${githubMessage})` : ""}`, {
      exitCode: 1,
      hint: httpErrorHint(status),
    });
    this.name = "GitHubHttpError";
  }
}

function httpErrorHint(status: number): string {
  if (status === 401) {
    return "GitHub refused the credentials: check GITHUB_TOKEN (export GITHUB_TOKEN=$(gh auth token)) and github.base_url in cto.yaml";
  }
  if (status === 403) return "the token may lack a scope or permission for this call; check it with gh auth status";
  if (status === 404) {
    return "not found, or not visible to this token: check the names in cto.yaml (github.org, github.repository) and the token's access";
  }
  if (status >= 500) return "GitHub failed to answer; run the command again in a few minutes";
  return "see GitHub's message above";
}

const TRANSIENT_BASE_MS = 1000;

export class GitHubApi {
  readonly baseUrl: string;
  private readonly opts: Required<Omit<GitHubApiOptions, "baseUrl" | "onWait">> & Pick<GitHubApiOptions, "onWait">;

  constructor(options: GitHubApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.opts = {
      maxRetries: options.maxRetries ?? 5,
      maxWaitMs: options.maxWaitMs ?? 15 * 60 * 1000,
      onWait: options.onWait,
      fetch: options.fetch ?? fetch,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: options.now ?? Date.now,
      timeoutMs: options.timeoutMs ?? 30_000,
    };
  }

  /** Performs a request and parses the JSON answer; throws `GitHubHttpError` on a non-2xx answer. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    const text = await res.text();
    if (!res.ok) throw new GitHubHttpError(res.status, method, options.display ?? path, githubMessage(text));
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /** Like `request`, with the answer's headers (for pagination links). */
  async requestWithHeaders<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ body: T; headers: Headers }> {
    const res = await this.send(method, path, options);
    const text = await res.text();
    if (!res.ok) throw new GitHubHttpError(res.status, method, options.display ?? path, githubMessage(text));
    return { body: (text === "" ? undefined : JSON.parse(text)) as T, headers: res.headers };
  }

  /** Like `request`, but a 404 gives `undefined` instead of an error. */
  async find<T>(method: string, path: string, options: RequestOptions = {}): Promise<T | undefined> {
    try {
      return await this.request<T>(method, path, options);
    } catch (err) {
      if (err instanceof GitHubHttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const shown = `${method} ${options.display ?? path}`;
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      Accept: "application/vnd.github+json",
      "User-Agent": "cto-cli",
      "X-GitHub-Api-Version": "2022-11-28",
    };
    const auth = options.auth ?? { kind: "none" };
    if (auth.kind === "token") headers.Authorization = `Bearer ${auth.token}`;
    if (auth.kind === "jwt") headers.Authorization = `Bearer ${auth.jwt}`;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";

    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      let failure: string | undefined;
      try {
        res = await this.opts.fetch(url, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
          redirect: "follow",
        });
      } catch (err) {
        failure = networkReason(err);
      }
      const retriesLeft = attempt < this.opts.maxRetries;
      const once = options.retry === false;
      if (res) {
        const body = res.status === 403 || res.status === 429 ? await res.clone().text() : "";
        const limit = rateLimitWait({ status: res.status, headers: res.headers, body }, attempt, this.opts.now());
        if (!limit && res.status < 500) return res;
        if (limit) {
          if (limit.waitMs > this.opts.maxWaitMs) {
            throw new UserError(
              `${shown}: GitHub's ${limit.reason} asks to wait ${formatWait(limit.waitMs)}, longer than cto waits (${formatWait(this.opts.maxWaitMs)})`,
              { hint: "wait until then and run the command again", exitCode: 1 },
            );
          }
          if (!retriesLeft) {
            throw new UserError(`${shown}: still rate-limited by GitHub after ${attempt} retries (${limit.reason})`, {
              hint: "wait a few minutes and run the command again",
              exitCode: 1,
            });
          }
          this.opts.onWait?.(
            `GitHub ${limit.reason} on ${shown}: waiting ${formatWait(limit.waitMs)} before retry ${attempt + 1} of ${this.opts.maxRetries}`,
          );
          await this.opts.sleep(limit.waitMs);
          continue;
        }
        if (!retriesLeft) return res;
        failure = `GitHub answered ${res.status}`;
        if (once) throw new GitHubNoAnswerError(method, options.display ?? path, failure);
      } else if (once) {
        throw new GitHubNoAnswerError(method, options.display ?? path, failure ?? "no answer");
      } else if (!retriesLeft) {
        throw new UserError(`${shown}: cannot reach ${this.baseUrl}: ${failure}`, {
          hint: "check the network or proxy, and github.base_url in cto.yaml",
          exitCode: 1,
        });
      }
      const waitMs = TRANSIENT_BASE_MS * 2 ** attempt;
      this.opts.onWait?.(
        `${shown}: ${failure}; waiting ${formatWait(waitMs)} before retry ${attempt + 1} of ${this.opts.maxRetries}`,
      );
      await this.opts.sleep(waitMs);
    }
  }
}

/** GitHub's error JSON `{ message }`, or the start of a non-JSON body. */
function githubMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 200).trim();
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    if (err.name === "TimeoutError") return "timed out";
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
