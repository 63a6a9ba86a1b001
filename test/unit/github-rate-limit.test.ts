import { strict as assert } from "node:assert";
import { UserError } from "../../config/errors.js";
import { GitHubApi, GitHubHttpError } from "../../stacks/github/api.js";
import { formatWait, rateLimitWait, SECONDARY_DEFAULT_WAIT_S } from "../../stacks/github/rate-limit.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe("github rate limits: how long to wait", () => {
  const table: [string, number, Record<string, string>, string, number | undefined, RegExp | undefined][] = [
    ["403 + retry-after", 403, { "retry-after": "30" }, "", 30_000, /secondary rate limit \(Retry-After: 30\)/],
    ["429 + retry-after", 429, { "retry-after": "2" }, "", 2_000, /Retry-After: 2/],
    [
      "403 + x-ratelimit-reset in 90s",
      403,
      { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 90) },
      "",
      91_000,
      /primary rate limit \(resets at 12:01:30 UTC\)/,
    ],
    [
      "retry-after wins over reset",
      429,
      { "retry-after": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 900) },
      "",
      5_000,
      /Retry-After/,
    ],
    [
      "403 mentioning a secondary limit, no header",
      403,
      {},
      "You have exceeded a secondary rate limit",
      60_000,
      /backing off 60s/,
    ],
    ["429 without header", 429, {}, "", 60_000, /backing off/],
    [
      "403 without any limit: a permission error",
      403,
      {},
      "Resource not accessible by integration",
      undefined,
      undefined,
    ],
    ["remaining 0 but not 403/429", 200, { "x-ratelimit-remaining": "0" }, "", undefined, undefined],
    ["404", 404, { "retry-after": "1" }, "", undefined, undefined],
  ];
  for (const [what, status, h, body, waitMs, reason] of table) {
    it(what, () => {
      const d = rateLimitWait({ status, headers: headers(h), body }, 0, NOW);
      if (waitMs === undefined) return assert.equal(d, undefined);
      assert.ok(d);
      assert.equal(d.waitMs, waitMs);
      assert.match(d.reason, reason as RegExp);
    });
  }

  it("backs off exponentially without headers", () => {
    const d = rateLimitWait({ status: 429, headers: headers({}), body: "" }, 2, NOW);
    assert.equal(d?.waitMs, SECONDARY_DEFAULT_WAIT_S * 4 * 1000);
  });

  it("formats waits for people", () => {
    assert.equal(formatWait(999), "1s");
    assert.equal(formatWait(65_000), "1m 5s");
    assert.equal(formatWait(120_000), "2m");
    assert.equal(formatWait(3_780_000), "1h 3m");
  });
});

describe("github API client against the fake: retries", function () {
  this.timeout(20_000);
  let fake: FakeGitHub;
  beforeEach(async () => (fake = await startFakeGitHub()));
  afterEach(async () => fake.close());

  const client = (waits: string[], slept: number[], extra: Partial<ConstructorParameters<typeof GitHubApi>[0]> = {}) =>
    new GitHubApi({
      baseUrl: fake.apiUrl,
      onWait: (m) => waits.push(m),
      sleep: async (ms) => void slept.push(ms),
      ...extra,
    });

  it("retries a 403 with Retry-After and says what it waits for", async () => {
    const waits: string[] = [];
    const slept: number[] = [];
    fake.rateLimitNext({ count: 2, status: 403, retryAfter: 3 });
    const user = await client(waits, slept).request<{ login: string }>("GET", "/users/acme");
    assert.equal(user.login, "acme");
    assert.deepEqual(slept, [3000, 3000]);
    assert.equal(waits.length, 2);
    assert.match(
      waits[0] as string,
      /secondary rate limit \(Retry-After: 3\) on GET \/users\/acme: waiting 3s before retry 1 of 5/,
    );
    assert.equal(fake.requests.filter((r) => r.url.endsWith("/users/acme")).length, 3);
  });

  it("retries a 429 with x-ratelimit-reset, waiting until the reset", async () => {
    const waits: string[] = [];
    const slept: number[] = [];
    fake.rateLimitNext({ count: 1, status: 429, resetIn: 120 });
    await client(waits, slept).request("GET", "/users/acme");
    assert.equal(slept.length, 1);
    assert.ok((slept[0] as number) > 115_000 && (slept[0] as number) <= 122_000, `slept ${slept[0]}`);
    assert.match(waits[0] as string, /primary rate limit \(resets at \d\d:\d\d:\d\d UTC\)/);
  });

  it("really waits (real clock) for a one-second Retry-After", async () => {
    const waits: string[] = [];
    fake.rateLimitNext({ count: 1, status: 429, retryAfter: 1 });
    const started = Date.now();
    await new GitHubApi({ baseUrl: fake.apiUrl, onWait: (m) => waits.push(m) }).request("GET", "/users/acme");
    assert.ok(Date.now() - started >= 1000);
    assert.equal(waits.length, 1);
  });

  it("hides one-time codes in messages", async () => {
    const waits: string[] = [];
    fake.rateLimitNext({ count: 1, status: 403, retryAfter: 1 });
    await assert.rejects(
      client(waits, []).request("POST", "/app-manifests/SECRETCODE/conversions", {
        display: "/app-manifests/<code>/conversions",
      }),
      (err: Error) => err instanceof GitHubHttpError && err.status === 404 && !err.message.includes("SECRETCODE"),
    );
    assert.ok(waits.every((w) => !w.includes("SECRETCODE")));
    assert.match(waits[0] as string, /<code>/);
  });

  it("does not retry a 403 that is not a rate limit", async () => {
    const waits: string[] = [];
    await assert.rejects(
      client(waits, []).request("GET", "/app"),
      (e: Error) => e instanceof GitHubHttpError && e.status === 401,
    );
    assert.equal(waits.length, 0);
  });

  it("a refusal nobody handles reaches the user as GitHub's answer with a fix, exit 1, not as a bug", async () => {
    await assert.rejects(client([], []).request("GET", "/app"), (e: Error) => {
      assert.ok(e instanceof UserError, "a UserError, which cli/main.ts prints without a bug report");
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /^GET \/app: GitHub answered 401/);
      assert.match(e.hint ?? "", /GITHUB_TOKEN/);
      return true;
    });
    assert.match(new GitHubHttpError(404, "GET", "/users/x", "Not Found").hint ?? "", /github\.org/);
    assert.match(new GitHubHttpError(502, "GET", "/users/x", "").hint ?? "", /again/);
  });

  it("gives up with an explanation when GitHub asks for a wait longer than allowed", async () => {
    fake.rateLimitNext({ count: 1, status: 403, retryAfter: 3600 });
    await assert.rejects(client([], [], { maxWaitMs: 60_000 }).request("GET", "/users/acme"), (e: Error) => {
      assert.match(e.message, /asks to wait 1h 0m, longer than cto waits \(1m\)/);
      return true;
    });
  });

  it("gives up after the retries with the last reason", async () => {
    fake.rateLimitNext({ count: 10, status: 429, retryAfter: 1 });
    await assert.rejects(
      client([], [], { maxRetries: 2 }).request("GET", "/users/acme"),
      /still rate-limited by GitHub after 2 retries/,
    );
  });
});
