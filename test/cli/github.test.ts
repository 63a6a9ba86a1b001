/**
 * `cto github …` and `cto secrets …` through the built binary, against the fake GitHub on
 * 127.0.0.1 and the real Pulumi CLI (stack secrets in a temporary file backend).
 *
 * The Pulumi CLI is reached through a wrapper that logs every argument list it is started with,
 * so the tests can check that no secret value is ever a process argument. At the end, every
 * output, that log, every file the runs left and every request the fake received are scanned for
 * the secret values of the run.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findPulumiCli } from "../../stacks/pulumi-cli.js";
import { CTO_BIN, Sandbox, type CtoResult } from "../helpers/cli.js";
import { runWithBrowser as runWithBrowserIn } from "../helpers/github-browser.js";
import { TmuxSession, tmuxAvailable } from "../helpers/tmux.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";

const WEBHOOK_SECRET = "whsec-platform-3f9a0c7e51d24b8e";
const API_KEY = "sk-ant-test-0d1e2f3a4b5c6d7e8f90";

/** The real pulumi, behind a wrapper in `<dir>/bin` that logs its argv to `<dir>/argv.log`. */
async function pulumiWrapper(root: string): Promise<{ binDir: string; log: string }> {
  const real = (await findPulumiCli({ env: process.env, home: join(root, "no-home") })).path;
  const binDir = join(root, "pulumi-wrapper", "bin");
  mkdirSync(binDir, { recursive: true });
  const log = join(root, "pulumi-wrapper", "argv.log");
  writeFileSync(join(binDir, "pulumi"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(binDir, "pulumi"), 0o755);
  writeFileSync(log, "");
  return { binDir, log };
}

function configYaml(fake: FakeGitHub): string {
  return [
    'version: "0.1.0"',
    "profile: minimal",
    "platform:",
    "  name: acme-platform",
    "  namespace: cto",
    "github:",
    "  organization: acme",
    "  repository: platform",
    `  base_url: ${fake.apiUrl}`,
    `  webhook_url: ${fake.webhookUrl}`,
    "cluster:",
    "  provider: kind",
    "agents:",
    "  rex: {}",
    "  cleo: {}",
    "  tess: {}",
    "",
  ].join("\n");
}

/** `cto …` with the browser played by the test (test/helpers/github-browser.ts), in the sandbox. */
function runWithBrowser(
  box: Sandbox,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CtoResult & { browsed: number }> {
  return runWithBrowserIn(args, { cwd: box.cwd, env: { ...box.env, ...env } });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

describe("cto github and cto secrets (built binary, fake GitHub, real Pulumi CLI)", function () {
  this.timeout(600_000);
  let fake: FakeGitHub;
  let box: Sandbox;
  let wrapper: { binDir: string; log: string };
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const record = <T extends CtoResult>(r: T): T => {
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  before(async () => {
    fake = await startFakeGitHub({ webhookSecret: WEBHOOK_SECRET });
    box = new Sandbox("cto-github-");
    wrapper = await pulumiWrapper(box.root);
    env = {
      CTO_PULUMI_BIN_DIR: wrapper.binDir,
      PULUMI_CONFIG_PASSPHRASE: "test-passphrase-not-a-secret-value",
      GITHUB_TOKEN: fake.tokenFor("octo"),
    };
    writeFileSync(join(box.cwd, "cto.yaml"), configYaml(fake));
  });
  after(async () => {
    await fake.close();
    box.remove();
  });

  it("creates three apps through the manifest flow and stores their credentials encrypted", async () => {
    fake.rateLimitNext({ count: 1, status: 403, retryAfter: 1, pathPrefix: "/users/" });
    const r = record(
      await runWithBrowser(
        box,
        ["github", "apps", "create", "--agents", "rex,cleo,tess", "--org", "acme", "--no-browser"],
        env,
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.browsed, 3);
    assert.equal(fake.apps.length, 3);
    for (const agent of ["rex", "cleo", "tess"]) {
      assert.match(
        r.stdout,
        new RegExp(
          `^${agent} {2}acme-${agent} {2}app \\d+ {2}created {2}not installed: http://127\\.0\\.0\\.1:\\d+/apps/acme-${agent}/installations/new$`,
          "m",
        ),
      );
    }
    // The rate limit on the owner lookup was waited out, and said so.
    assert.match(
      r.stderr,
      /GitHub secondary rate limit \(Retry-After: 1\) on GET \/users\/acme: waiting 1s before retry 1 of 5/,
    );
    // Permissions come from the agents' roles (templates/agent-roles.yaml): cleo reviews, tess tests.
    assert.equal(fake.apps.find((a) => a.slug === "acme-cleo")?.permissions.checks, "write");
    assert.deepEqual(fake.apps.find((a) => a.slug === "acme-tess")?.events, ["pull_request", "workflow_run"]);
    // One path: each App delivers to its agent's URL, signed with its own webhook secret.
    for (const app of fake.apps) assert.equal(app.hookUrl, `${fake.webhookUrl}/${app.slug.replace("acme-", "")}`);
    assert.equal(new Set(fake.apps.map((a) => a.webhookSecret)).size, 3, "each App its own secret");
    assert.match(
      r.stderr,
      /rex: webhook → http:\/\/127\.0\.0\.1:\d+\/hooks\/platform\/rex, signed with the App's own webhook secret/,
    );
    // The name check of each new App was made with the user's token (private Apps are hidden otherwise).
    const lookups = fake.requests.filter((q) => /^\/api\/v3\/apps\/acme-/.test(q.url));
    assert.equal(lookups.length, 3);
    assert.ok(lookups.every((q) => q.authorization === `Bearer ${env.GITHUB_TOKEN}`));

    const stackFiles = filesUnder(join(box.env.CTO_HOME as string, "workspaces")).filter((f) =>
      /Pulumi\.dev\.yaml$/.test(f),
    );
    assert.equal(stackFiles.length, 1);
    const stackConfig = readFileSync(stackFiles[0] as string, "utf8");
    assert.match(stackConfig, /cto:credentials:\n\s+secure: v1:/);

    const list = record(await box.run(["secrets", "list", "--json"], { env }));
    assert.equal(list.code, 0, list.stderr);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((n) => n.name);
    for (const agent of ["rex", "cleo", "tess"]) {
      for (const field of ["id", "client_id", "client_secret", "private_key", "slug", "webhook_secret"]) {
        assert.ok(names.includes(`github.apps.${agent}.${field}`), `github.apps.${agent}.${field} stored`);
      }
    }
    assert.ok(!names.includes("github.webhook_secret"), "no shared webhook secret any more");
  });

  it("keeps the existing apps on a second run, and sees an installation", async () => {
    fake.install("acme-rex", "acme");
    const r = record(await runWithBrowser(box, ["github", "apps", "create", "--no-browser", "--json"], env));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.browsed, 0);
    assert.equal(fake.apps.length, 3);
    const out = JSON.parse(r.stdout) as { apps: { agent: string; outcome: string; installation: unknown }[] };
    assert.deepEqual(
      out.apps.map((a) => [a.agent, a.outcome]),
      [
        ["cleo", "kept"],
        ["rex", "kept"],
        ["tess", "kept"],
      ],
    );
    assert.ok(out.apps.find((a) => a.agent === "rex")?.installation);
  });

  it("stores a secret from stdin, lists names only, and removes it", async () => {
    const set = record(await box.run(["secrets", "set", "ANTHROPIC_API_KEY"], { env, input: `${API_KEY}\n` }));
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /stored ANTHROPIC_API_KEY \(agent API key\) encrypted in stack dev/);
    const list = record(await box.run(["secrets", "list"], { env }));
    assert.match(list.stdout, /^ANTHROPIC_API_KEY {2}\(agent API key\)$/m);
    const empty = record(await box.run(["secrets", "set", "OPENAI_API_KEY"], { env, input: "" }));
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no value given for OPENAI_API_KEY; nothing stored/);
    const argv = record(await box.run(["secrets", "set", "OPENAI_API_KEY", "sk-in-argv"], { env }));
    assert.equal(argv.code, 2, "a value on the command line is refused");
    const rm = record(await box.run(["secrets", "rm", "ANTHROPIC_API_KEY"], { env }));
    assert.equal(rm.code, 0, rm.stderr);
    const missing = record(await box.run(["secrets", "rm", "ANTHROPIC_API_KEY"], { env }));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no stored secret matches ANTHROPIC_API_KEY in stack dev; nothing removed/);
    assert.match(missing.stderr, /fix: see the names with: cto secrets list --env dev/);
  });

  it("test-webhook pings each agent's URL signed with that App's own secret, and reports a refused signature", async () => {
    // The platform's receiver holds each App's secret at its agent's path (what cto up gives the cluster).
    const holdOwnSecrets = () => {
      for (const agent of ["cleo", "rex", "tess"])
        fake.receiverSecrets.set(agent, fake.app(`acme-${agent}`).webhookSecret);
    };
    holdOwnSecrets();
    const ok = record(await box.run(["github", "test-webhook", "--env", "dev"], { env }));
    assert.equal(ok.code, 0, ok.stderr);
    for (const agent of ["cleo", "rex", "tess"]) {
      assert.match(
        ok.stdout,
        new RegExp(
          `^${agent}: ping → http://127\\.0\\.0\\.1:\\d+/hooks/platform/${agent}: 204 in [\\d.]+ ms \\(delivery [0-9a-f-]{36}, signed with github\\.apps\\.${agent}\\.webhook_secret\\)$`,
          "m",
        ),
      );
    }
    const delivered = fake.received.at(-1);
    assert.equal(delivered?.event, "ping");
    assert.equal(delivered?.signatureValid, true);

    // An endpoint holding another App's secret (or the old shared one) refuses: exit 1, explained.
    fake.receiverSecrets.set("rex", fake.app("acme-cleo").webhookSecret);
    const refused = record(await box.run(["github", "test-webhook", "--app", "rex"], { env }));
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /^rex: ping → .*: 401 in /m);
    assert.match(
      refused.stderr,
      /rex: the endpoint refused the delivery: it checks X-Hub-Signature-256 with a different secret than rex's App webhook secret/,
    );
    assert.equal(fake.received.at(-1)?.signatureValid, false);
    holdOwnSecrets();
  });

  it("status shows apps, installations, failed deliveries and how to redeliver them; redeliver sends them again", async () => {
    const r = record(await box.run(["github", "status"], { env }));
    // GitHub's creation pings were signed with each App's own secret before the platform held it: failed.
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^webhook: http:\/\/127\.0\.0\.1:\d+\/hooks\/platform\/<agent> \(each agent's App delivers to its own URL\)$/m,
    );
    assert.match(r.stdout, /^rex: acme-rex \(app \d+\)/m);
    assert.match(r.stdout, /^ {2}installations: acme \(all repositories\)$/m);
    assert.match(r.stdout, /^cleo: acme-cleo .*\n {2}installations: none/m);
    assert.match(r.stdout, /^ {2}webhook: http:\/\/127\.0\.0\.1:\d+\/hooks\/platform\/rex$/m);
    assert.match(r.stdout, /✗ \S+ {2}ping {2}401 Invalid HTTP Response/);
    // Where each App's own secret is kept, never its value.
    for (const agent of ["cleo", "rex", "tess"])
      assert.match(r.stdout, new RegExp(`webhook secrets: .*${agent} its own, stored`));
    assert.match(
      r.stdout,
      /1 failed delivery; once the endpoint is fixed, ask GitHub to send again: cto github redeliver --env dev --agent rex --delivery \d+/,
    );

    const again = record(await box.run(["github", "redeliver", "--agent", "rex", "--failed"], { env }));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^rex: asked GitHub to send delivery \d+ again$/m);
    const after = record(await box.run(["github", "status", "--json"], { env }));
    const rex = (
      JSON.parse(after.stdout) as { apps: { agent: string; deliveries: { redelivery: boolean; failed: boolean }[] }[] }
    ).apps.find((a) => a.agent === "rex");
    assert.deepEqual([rex?.deliveries[0]?.redelivery, rex?.deliveries[0]?.failed], [true, false]);

    const bad = record(await box.run(["github", "redeliver", "--agent", "rex"], { env }));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /give either --delivery ID or --failed/);
  });

  it("reports an expired code clearly and stores nothing for that app", async () => {
    const other = await startFakeGitHub({ codeTtlMs: 0 });
    const box2 = new Sandbox("cto-github-expired-");
    try {
      writeFileSync(join(box2.cwd, "cto.yaml"), configYaml(other));
      const r = record(
        await runWithBrowser(box2, ["github", "apps", "create", "--agents", "rex", "--no-browser"], {
          ...env,
          GITHUB_TOKEN: other.tokenFor("octo"),
        }),
      );
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /error: GitHub did not accept the code for acme-rex \(404 from POST \/app-manifests\/<code>\/conversions\): it expired/,
      );
      assert.match(
        r.stderr,
        /fix: open http:\/\/127\.0\.0\.1:\d+\/organizations\/acme\/settings\/apps\/acme-rex: if the App is there, generate a private key/,
      );
      const list = record(await box2.run(["secrets", "list"], { env }));
      // Nothing of the App, and no shared webhook secret.
      assert.doesNotMatch(list.stdout, /github\.apps\.rex/);
      assert.doesNotMatch(list.stdout, /github\.webhook_secret/);
    } finally {
      await other.close();
      box2.remove();
    }
  });

  it("finds a private leftover App only with the user's token, and creates nothing", async () => {
    const other = await startFakeGitHub();
    const box2 = new Sandbox("cto-github-leftover-");
    try {
      other.addApp("acme-rex", "acme");
      writeFileSync(join(box2.cwd, "cto.yaml"), configYaml(other));
      assert.equal((await fetch(`${other.apiUrl}/apps/acme-rex`)).status, 404, "hidden from anonymous lookups");
      const noToken = record(
        await runWithBrowser(box2, ["github", "apps", "create", "--agents", "rex", "--no-browser"], {
          ...env,
          GITHUB_TOKEN: "",
        }),
      );
      assert.equal(noToken.code, 2);
      assert.match(noToken.stderr, /cto needs your GitHub token to check that no App named acme-rex exists yet/);
      assert.match(noToken.stderr, /fix: export GITHUB_TOKEN=\$\(gh auth token\)/);
      const found = record(
        await runWithBrowser(box2, ["github", "apps", "create", "--agents", "rex", "--no-browser"], {
          ...env,
          GITHUB_TOKEN: other.tokenFor("octo"),
        }),
      );
      assert.equal(found.code, 2);
      assert.equal(found.browsed, 0, "no browser flow for a name GitHub would refuse");
      assert.match(
        found.stderr,
        /rex: a GitHub App named acme-rex already exists, but this environment holds no credentials/,
      );
      assert.equal(other.apps.length, 1);
      const badToken = record(
        await runWithBrowser(box2, ["github", "apps", "create", "--agents", "rex", "--no-browser"], {
          ...env,
          GITHUB_TOKEN: "ghp_revoked",
        }),
      );
      assert.equal(badToken.code, 2);
      assert.match(
        badToken.stderr,
        /GitHub refused your token \(401: Bad credentials\) when cto looked for an App named acme-rex/,
      );
    } finally {
      await other.close();
      box2.remove();
    }
  });

  it("a conversion whose answer is lost is not retried; the message says how to recover, and recovery works", async () => {
    const other = await startFakeGitHub();
    const box2 = new Sandbox("cto-github-lost-");
    try {
      other.loseConversionAnswers = 1;
      writeFileSync(join(box2.cwd, "cto.yaml"), configYaml(other));
      const env2 = { ...env, GITHUB_TOKEN: other.tokenFor("octo") };
      const r = record(
        await runWithBrowser(box2, ["github", "apps", "create", "--agents", "rex", "--no-browser"], env2),
      );
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /no answer from GitHub to POST \/app-manifests\/<code>\/conversions for acme-rex \(timed out\)/,
      );
      assert.match(
        r.stderr,
        /cto github apps create --agents rex --rotate-keys --key-file rex=PATH-OF-THE-DOWNLOADED-KEY/,
      );
      assert.equal(other.requests.filter((q) => q.url.includes("/conversions")).length, 1, "sent once");
      assert.doesNotMatch(r.stderr, /retry/);

      // Recovery as told: a key generated on the App's settings page.
      const keyFile = join(box2.root, "acme-rex.private-key.pem");
      writeFileSync(keyFile, other.newPrivateKey("acme-rex"), { mode: 0o600 });
      const rec = record(
        await runWithBrowser(
          box2,
          [
            "github",
            "apps",
            "create",
            "--agents",
            "rex",
            "--rotate-keys",
            "--key-file",
            `rex=${keyFile}`,
            "--no-browser",
          ],
          env2,
        ),
      );
      assert.equal(rec.code, 0, rec.stderr);
      assert.match(rec.stdout, /^rex {2}acme-rex {2}app \d+ {2}recovered/m);
      assert.equal(other.apps.length, 1, "no second App");
      assert.equal(other.app("acme-rex").hookUrl, `${other.webhookUrl}/rex`);
    } finally {
      await other.close();
      box2.remove();
    }
  });

  it("rejects bad input with exit 2 and a fix", async () => {
    const r = record(await box.run(["github", "apps", "create", "--agents", "rex,zed", "--no-browser"], { env }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--agents: zed is not an enabled agent of environment dev/);
    assert.match(r.stderr, /fix: enabled agents: (cleo, rex, tess|rex, cleo, tess)/);
  });

  it("never shows a secret value: outputs, Pulumi argv, files and requests", () => {
    const secrets = [WEBHOOK_SECRET, API_KEY];
    for (const app of fake.apps) {
      secrets.push(app.clientSecret, app.webhookSecret, app.pem.split("\n")[1] as string);
    }
    secrets.push(env.GITHUB_TOKEN as string);
    const argvLog = readFileSync(wrapper.log, "utf8");
    assert.match(argvLog, /config set cto:credentials --secret --raw --stack dev/, "the wrapper saw the writes");
    const haystacks: [string, string][] = [
      ["command output", outputs.join("\n")],
      ["pulumi argv", argvLog],
      ["fake GitHub request URLs", fake.requests.map((r) => r.url).join("\n")],
    ];
    for (const file of filesUnder(box.root)) {
      if (statSync(file).size < 5_000_000) haystacks.push([file, readFileSync(file, "latin1")]);
    }
    for (const [where, text] of haystacks) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret value appears in ${where}`);
    }
  });
});

describe("cto secrets set on a terminal (tmux): the value is typed at a hidden prompt", function () {
  this.timeout(300_000);
  let box: Sandbox;
  let fake: FakeGitHub;
  let term: TmuxSession | undefined;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!tmuxAvailable()) throw new Error("tmux is not installed: apt-get install tmux (npm test installs it)");
    fake = await startFakeGitHub();
    box = new Sandbox("cto-secrets-tty-");
    const cli = await findPulumiCli({ env: process.env, home: join(box.root, "no-home") });
    env = { CTO_PULUMI_BIN_DIR: cli.binDir, PULUMI_CONFIG_PASSPHRASE: "test-passphrase-not-a-secret-value" };
    writeFileSync(join(box.cwd, "cto.yaml"), configYaml(fake));
  });
  afterEach(() => {
    term?.kill();
    term = undefined;
  });
  after(async () => {
    await fake.close();
    box.remove();
  });

  const start = (args: string[]): TmuxSession =>
    (term = TmuxSession.start({
      command: [process.execPath, CTO_BIN, ...args],
      cwd: box.cwd,
      env: { ...box.env, ...env, TERM: "xterm-256color" },
      scratch: box.root,
    }));

  it("never echoes the value and stores it", async () => {
    const t = start(["secrets", "set", "OPENAI_API_KEY"]);
    await t.waitFor("Value of OPENAI_API_KEY (hidden)", 60_000);
    t.type(API_KEY);
    const screen = await t.waitFor("••••");
    assert.ok(!screen.includes(API_KEY), "the typed value is on the screen");
    t.press("Enter");
    await t.waitFor("stored OPENAI_API_KEY (agent API key) encrypted in stack dev", 120_000);
    assert.equal(await t.exitCode(), 0);
    assert.ok(!t.screen().includes(API_KEY));
    const list = await box.run(["secrets", "list"], { env });
    assert.match(list.stdout, /^OPENAI_API_KEY {2}\(agent API key\)$/m);
  });

  it("Ctrl-C cancels without storing anything", async () => {
    const t = start(["secrets", "set", "GEMINI_API_KEY"]);
    await t.waitFor("Value of GEMINI_API_KEY (hidden)", 60_000);
    t.type("abc");
    t.press("C-c");
    await t.waitFor("Operation cancelled.");
    assert.equal(await t.exitCode(), 0);
    const list = await box.run(["secrets", "list"], { env });
    assert.doesNotMatch(list.stdout, /GEMINI_API_KEY/);
  });
});
