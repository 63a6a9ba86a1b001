/**
 * Every example a `--help` shows runs, and none exits 2 (bad input or usage), through the built
 * binary. The examples are read from the help itself: `cto --help`, then `cto COMMAND --help` for
 * every command and subcommand it lists; each help must show at least one.
 *
 * Where they run: where a user copies them, in the directory `cto init --yes --org acme --repo
 * platform` (the first example) wrote, with what some examples need first done as a user would
 * (the `prepare` of their rule below): the prod block init writes as a comment uncommented (the
 * examples with `--env prod`), mail settings for `doctor --mail-test` (a local SMTP listener),
 * the variable `printenv` reads, a webhook URL and secret, an App's credentials in the stack, and
 * update history for `rollback` (history files in the sandbox's file backend, as three updates
 * leave them). The `cto init` examples that write ./cto.yaml run in an empty directory.
 *
 * What is checked, per example (`expect`):
 * - `runs`: exit 0. Everything that needs no cluster and no GitHub: init, config, profiles,
 *   render, doctor --mail-test (the mail arrives), stacks, history, cancel, secrets (the real
 *   Pulumi CLI on the sandbox's file backend), github status / test-webhook (a local receiver),
 *   version, pulumi (stack, config, export through the plain Pulumi CLI).
 * - `past validation`: exit 0 or 1, never 2, and no bug report. The cli tier has no cluster and no
 *   GitHub: dev's cluster is kind (no Docker here), prod's an unreachable `existing` context,
 *   GitHub's API (`github.base_url`) a local server refusing every call as GitHub refuses bad
 *   credentials (401: answered at once, where a closed port cost each command about 30 s of
 *   retries), and tool downloads (`CTO_TOOLS_MIRROR`) a closed local port. So up, preview,
 *   upgrade, rollback, refresh, destroy, task run, backup, doctor (whose checks fail for want of
 *   Docker and a cluster), apps create, redeliver and `pulumi -- preview` get past every check of
 *   their input and stop where they reach the cluster, the engine's missing plugins, or GitHub.
 *   Each such rule names why. These are exactly the examples NEEDS_CLUSTER_OR_GITHUB
 *   (test/helpers/help-examples.ts) names, and test/e2e/help-examples-cluster.test.ts runs each of
 *   them to exit 0, with its effect checked, on a simulated cluster and the fake GitHub.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { findPulumiCli } from "../../stacks/pulumi-cli.js";
import { Sandbox, type CtoResult } from "../helpers/cli.js";
import {
  afterCto,
  argsOf,
  examplesIn,
  NEEDS_CLUSTER_OR_GITHUB,
  readHelps,
  splitPipe,
  uncommentProd,
} from "../helpers/help-examples.js";
import { TestSmtpServer } from "../helpers/smtp-server.js";

type Expect = "runs" | "past validation";

interface Rule {
  /** Matches the example's command line (after `cto `, or after the pipe). */
  match: RegExp;
  expect: Expect;
  /** For `past validation`: where it stops in the cli tier. */
  why?: string;
  /** Done once before the first example the rule matches. */
  prepare?: () => Promise<void>;
  /** Runs in a fresh empty directory instead of the sandbox. */
  emptyDir?: boolean;
}

const API_KEY_VALUE = "sk-ant-help-examples-not-a-real-key";
const WEBHOOK_SECRET = "whsec-help-examples-0123456789";

describe("every --help example runs", function () {
  this.timeout(1_800_000);
  let box: Sandbox;
  let smtp: TestSmtpServer;
  let receiver: Server;
  let github: Server;
  const hooks: { url: string; headers: IncomingHttpHeaders }[] = [];
  let env: NodeJS.ProcessEnv;
  const helps = new Map<string, string>();

  const closedPort = async (): Promise<number> => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  };
  const run = (args: string[], options: { cwd?: string; input?: string } = {}): Promise<CtoResult> =>
    box.run(args, { env, timeoutMs: 600_000, ...options });
  const file = (): string => join(box.cwd, "cto.yaml");
  const edit = (f: (text: string) => string): void => writeFileSync(file(), f(readFileSync(file(), "utf8")));
  const secretsSet = async (name: string, value: string): Promise<void> => {
    const r = await run(["secrets", "set", name, "--env", "dev"], { input: value });
    assert.equal(r.code, 0, r.stderr);
  };

  /**
   * The environment's history becomes exactly `updates` succeeded updates: a diy backend history file
   * per update, as the engine writes after each `cto up`. Earlier records go first: the up and
   * upgrade examples before it reach the engine and record their failed attempt (no cluster here).
   */
  const seedHistory = async (environment: string, updates: number): Promise<void> => {
    const show = await run(["config", "show", "--env", environment, "--resolved", "--output", "json"]);
    assert.equal(show.code, 0, show.stderr);
    const plan = JSON.parse(show.stdout) as { platform: { name: string } };
    const dir = join(box.env.CTO_HOME as string, "state", ".pulumi", "history", plan.platform.name, environment);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const start = Math.floor(Date.now() / 1000) - 3600;
    for (let i = 0; i < updates; i++) {
      const t = start + i * 60;
      // The earlier updates ran the previous release: a rollback has a different plan to go back to.
      const ran = i === updates - 1 ? plan : { ...plan, release: "0.2.0" };
      writeFileSync(
        join(dir, `${environment}-${t}000000000.history.json`),
        JSON.stringify({
          kind: "update",
          startTime: t,
          endTime: t + 30,
          result: "succeeded",
          config: { "cto:plan": JSON.stringify(ran) },
        }),
      );
    }
    const h = await run(["history", "--env", environment, "--json"]);
    assert.equal(h.code, 0, h.stderr);
    assert.equal((JSON.parse(h.stdout) as { updates: unknown[] }).updates.length, updates, h.stdout);
  };

  const rules: Rule[] = [
    { match: /^init .*-f \S+ --force/, expect: "runs" },
    { match: /^init /, expect: "runs", emptyDir: true },
    { match: /^(config|profiles|render|stacks|history|version)\b/, expect: "runs" },
    { match: /^cancel /, expect: "runs" },
    {
      match: /^doctor --mail-test /,
      expect: "runs",
      prepare: async () =>
        edit(
          (t) =>
            `${t}\nfeatures:\n  mail_notifications: true\nmail:\n  smtp_host: 127.0.0.1\n  smtp_port: ${smtp.port}\n` +
            "  smtp_tls: none\n  from: cto@acme.example\n",
        ),
    },
    {
      match: /^doctor\b/,
      expect: "past validation",
      why: "its checks fail here: no Docker for kind, prod's cluster unreachable, --fix's downloads refused",
    },
    {
      match: /^(preview|up|upgrade|refresh|destroy)\b/,
      expect: "past validation",
      why: "reaches the engine and the cluster: kind without Docker, prod's unreachable context",
    },
    {
      match: /^rollback\b/,
      expect: "past validation",
      why: "rolls back to a recorded update, then reaches the cluster",
      prepare: async () => {
        await seedHistory("dev", 2);
        await seedHistory("prod", 3);
      },
    },
    { match: /^status\b/, expect: "runs" },
    { match: /^(task run|backup)\b/, expect: "past validation", why: "needs the cluster's API server" },
    {
      match: /^github apps create /,
      expect: "past validation",
      why: "talks to GitHub (github.base_url: a server refusing every call here)",
    },
    { match: /^github status /, expect: "runs" },
    {
      match: /^github test-webhook /,
      expect: "runs",
      // Each agent's App signs with its own webhook secret (github.apps.<agent>.webhook_secret).
      prepare: async () => {
        const show = await run(["config", "show", "--env", "dev", "--resolved", "--output", "json"]);
        assert.equal(show.code, 0, show.stderr);
        for (const agent of (JSON.parse(show.stdout) as { agents: { name: string }[] }).agents) {
          await secretsSet(`github.apps.${agent.name}.webhook_secret`, WEBHOOK_SECRET);
        }
      },
    },
    {
      match: /^github redeliver /,
      expect: "past validation",
      why: "talks to GitHub (github.base_url: a server refusing every call here)",
      prepare: async () => {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        await secretsSet("github.apps.rex.id", "12345");
        await secretsSet("github.apps.rex.private_key", privateKey.export({ type: "pkcs1", format: "pem" }).toString());
      },
    },
    { match: /^secrets /, expect: "runs" },
    {
      match: /^pulumi .* -- preview\b/,
      expect: "past validation",
      why: "the plain Pulumi CLI previews dev's program, whose kind cluster cannot run here",
    },
    { match: /^pulumi /, expect: "runs" },
  ];

  before(async () => {
    smtp = await TestSmtpServer.start();
    receiver = createServer((req, res) => {
      hooks.push({ url: req.url ?? "", headers: req.headers });
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    github = createServer((req, res) => {
      req.resume();
      req.on("end", () =>
        res.writeHead(401, { "content-type": "application/json" }).end('{"message":"Bad credentials"}'),
      );
    });
    await new Promise<void>((r) => github.listen(0, "127.0.0.1", r));
    box = new Sandbox("cto-cli-examples-");
    const pulumi = await findPulumiCli({ env: process.env, home: join(box.root, "no-home") });
    const closed = await closedPort();
    env = {
      CTO_PULUMI_BIN_DIR: join(pulumi.path, ".."),
      CTO_TOOLS_MIRROR: `http://127.0.0.1:${closed}/`,
      ANTHROPIC_API_KEY: API_KEY_VALUE,
      // The registry login `cto init --registry ghcr` writes as ${CTO_REGISTRY_USERNAME} / ${…_PASSWORD}.
      CTO_REGISTRY_USERNAME: "acme-bot",
      CTO_REGISTRY_PASSWORD: "ghcr-token-not-a-real-one",
    };

    // Every help, from the top down.
    for (const [path, text] of await readHelps((args) => run(args))) helps.set(path, text);
  });
  after(async () => {
    await smtp.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
    await new Promise<void>((r) => github.close(() => r()));
    box.remove();
  });

  it("every command's help shows examples, and cto --help shows them all", () => {
    assert.ok(helps.size > 30, `only ${helps.size} help texts found`);
    const missing = [...helps].filter(([, text]) => examplesIn(text).length === 0).map(([p]) => `cto ${p} --help`);
    assert.deepEqual(missing, [], "helps without an example");
    const top = new Set(examplesIn(helps.get("") as string));
    const leaves = new Set([...helps].filter(([p]) => p !== "").flatMap(([, t]) => examplesIn(t)));
    assert.deepEqual(
      [...leaves].filter((l) => !top.has(l)),
      [],
      "examples missing from cto --help",
    );
    assert.deepEqual(
      [...top].filter((l) => !leaves.has(l)),
      [],
      "cto --help examples no command shows",
    );
  });

  it("each example runs where cto init wrote cto.yaml, and none exits 2", async () => {
    const examples = examplesIn(helps.get("") as string);
    const [first, ...rest] = examples;
    assert.equal(first, "cto init --yes --org acme --repo platform");
    const init = await run(argsOf(first));
    assert.equal(init.code, 0, init.stderr);
    // The prod environment init writes as a comment, uncommented as the file invites.
    edit(uncommentProd);
    const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    edit((t) =>
      t.replace(
        "  repository: platform\n",
        `  repository: platform\n  base_url: ${githubUrl}\n  webhook_url: ${webhook}\n`,
      ),
    );

    const prepared = new Set<Rule>();
    const failures: string[] = [];
    const timings: string[] = [];
    for (const line of rest) {
      const { command, stdinVar } = splitPipe(line);
      const rule = rules.find((r) => r.match.test(afterCto(command)));
      if (!rule) {
        failures.push(`${line}: no rule in this test says how it runs`);
        continue;
      }
      // One list says which examples need a cluster or GitHub: the e2e tier runs exactly those.
      if ((rule.expect === "past validation") !== NEEDS_CLUSTER_OR_GITHUB.test(afterCto(command))) {
        failures.push(
          `${line}: ${rule.expect} here, but NEEDS_CLUSTER_OR_GITHUB (test/helpers/help-examples.ts) says otherwise`,
        );
        continue;
      }
      if (rule.prepare && !prepared.has(rule)) {
        prepared.add(rule);
        await rule.prepare();
      }
      const cwd = rule.emptyDir ? mkdtempSync(join(box.root, "empty-")) : box.cwd;
      const input = stdinVar ? `${env[stdinVar] ?? ""}\n` : undefined;
      const r = await run(argsOf(command), { cwd, input });
      timings.push(`${(r.ms / 1000).toFixed(1)}s ${line}`);
      const said = `${line}\n  exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`;
      if (/this is a bug in cto/.test(r.stderr)) failures.push(`${said}\n  (a bug report)`);
      else if (rule.expect === "runs" && r.code !== 0) failures.push(said);
      else if (rule.expect === "past validation" && r.code !== 0 && r.code !== 1)
        failures.push(`${said}\n  (expected to get past validation: ${rule.why})`);
    }
    console.log(`      example times:\n        ${timings.join("\n        ")}`);
    assert.deepEqual(failures, []);

    // What the running examples did, seen from outside.
    assert.ok(
      smtp.received.some((m) => m.to.includes("you@acme.example")),
      "doctor --mail-test's mail arrived",
    );
    assert.ok(
      hooks.some((h) => h.url === "/hooks/rex" && String(h.headers["x-hub-signature-256"]).startsWith("sha256=")),
      "test-webhook's signed ping arrived at rex's URL",
    );
    const list = await run(["secrets", "list", "--env", "dev", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(!list.stdout.includes("ANTHROPIC_API_KEY"), "secrets rm removed what secrets set stored");
  });
});
