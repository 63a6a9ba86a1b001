/**
 * When GitHub says "slow down", how long to wait and why.
 *
 * GitHub signals two kinds of limits (docs.github.com, "Rate limits for the REST API"):
 * - primary: `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (epoch seconds) on a 403 or 429;
 * - secondary: a 403 or 429, often with `retry-after` (seconds); without any header GitHub asks
 *   clients to wait at least one minute and back off exponentially.
 * `retry-after` wins over `x-ratelimit-reset` when both are present. A 403 that carries none of
 * these and does not mention a rate limit is a permission error and is not retried.
 */

/** What a response told us, reduced to what the decision needs. */
export interface LimitSignal {
  status: number;
  headers: { get(name: string): string | null };
  /** Response body text (only inspected for "rate limit"). */
  body: string;
}

export interface RetryDecision {
  waitMs: number;
  /** Which limit and which header the wait comes from, for the message shown to the user. */
  reason: string;
}

/** Seconds GitHub asks for when a secondary limit carries no header. */
export const SECONDARY_DEFAULT_WAIT_S = 60;

/**
 * The wait before retrying a rate-limited request, or undefined when the response is not a rate
 * limit. `attempt` counts retries already made (0 for the first failure); `nowMs` is the clock.
 */
export function rateLimitWait(res: LimitSignal, attempt: number, nowMs: number): RetryDecision | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const retryAfter = res.headers.get("retry-after");
  if (retryAfter !== null && retryAfter.trim() !== "") {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) {
      return { waitMs: Math.ceil(seconds * 1000), reason: `secondary rate limit (Retry-After: ${retryAfter.trim()})` };
    }
    // Retry-After may also be an HTTP date.
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) {
      return { waitMs: Math.max(0, at - nowMs), reason: `secondary rate limit (Retry-After: ${retryAfter.trim()})` };
    }
  }
  const remaining = res.headers.get("x-ratelimit-remaining");
  const reset = res.headers.get("x-ratelimit-reset");
  if (remaining === "0" && reset !== null && /^[0-9]+$/.test(reset.trim())) {
    const resetMs = Number(reset.trim()) * 1000;
    const at = new Date(resetMs).toISOString().slice(11, 19);
    // One extra second: GitHub's reset is rounded down to the second.
    return { waitMs: Math.max(0, resetMs - nowMs) + 1000, reason: `primary rate limit (resets at ${at} UTC)` };
  }
  if (res.status === 429 || /rate limit/i.test(res.body)) {
    const seconds = SECONDARY_DEFAULT_WAIT_S * 2 ** attempt;
    return { waitMs: seconds * 1000, reason: `secondary rate limit (no Retry-After; backing off ${seconds}s)` };
  }
  return undefined;
}

/** "1s", "2m 5s", "1h 3m": how long, for people. */
export function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
