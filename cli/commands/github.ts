/**
 * `cto github apps create | test-webhook | status | redeliver`: the agents' GitHub Apps (manifest
 * flow), a signed test delivery to each agent's webhook URL, what GitHub reports, and asking
 * GitHub to send failed deliveries again. Work: cli/github/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, processIO, type OptionsOf } from "../context.js";

export function defineAppsCreate(apps: Command) {
  return apps
    .command("create")
    .description("create a GitHub App per agent through GitHub's manifest flow (existing apps are kept)")
    .option("--agents <LIST>", "comma-separated agents (default: every enabled agent), e.g. rex,cleo,tess")
    .option("--org <ORG>", "organisation (or user) that owns the apps (default: github.organization)")
    .option(
      "--rotate-keys",
      "for existing apps: a new webhook secret for each selected App, and new private keys given with --key-file",
    )
    .option(
      "--key-file <AGENT=PATH...>",
      "with --rotate-keys: a private key generated on the app's settings page (also recovers an App whose creation answer was lost)",
    )
    .option("--no-browser", "print the local URL to open instead of opening a browser")
    .option("--port <PORT>", "local port for GitHub's redirect (default: a free one)")
    .option("--wait-install", "after creating, wait until each app is installed on the organisation")
    .option("--install-timeout <SECONDS>", "how long --wait-install waits", "600")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

export function defineTestWebhook(github: Command) {
  return github
    .command("test-webhook")
    .description(
      "send a ping like GitHub's, signed with each agent's App webhook secret, to that agent's webhook URL; report status and latency",
    )
    .option("--url <URL>", "endpoint (default: each agent's URL, <webhook URL>/<agent>)")
    .option("--app <AGENT>", "only this agent")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

export function defineStatus(github: Command) {
  return github
    .command("status")
    .description("the agents' apps, their installations, webhook URLs and latest deliveries (failed ones marked)")
    .option("--deliveries <N>", "latest deliveries per app (GitHub pages them 100 at a time)", "5")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

export function defineRedeliver(github: Command) {
  return github
    .command("redeliver")
    .description("ask GitHub to send an agent's failed webhook deliveries again")
    .option("--agent <AGENT>", "the agent whose App's deliveries to send again")
    .option("--delivery <ID>", "one delivery (ids: cto github status --json)")
    .option("--failed", "every failed delivery among the latest 100")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

/** The options of each `cto github` command, typed from the flags declared above. */
export type AppsCreateOptions = OptionsOf<ReturnType<typeof defineAppsCreate>>;
export type TestWebhookOptions = OptionsOf<ReturnType<typeof defineTestWebhook>>;
export type StatusOptions = OptionsOf<ReturnType<typeof defineStatus>>;
export type RedeliverOptions = OptionsOf<ReturnType<typeof defineRedeliver>>;

export function register(program: Command): void {
  const github = program.command("github").description("GitHub Apps for the agents, webhook test and status");

  const apps = github.command("apps").description("the agents' GitHub Apps");
  const create = defineAppsCreate(apps);
  examples(create, [
    "cto github apps create --agents rex --org acme",
    "cto github apps create --rotate-keys --key-file rex=./acme-rex.private-key.pem",
  ]);
  create.addHelpText(
    "after",
    [
      "",
      "For each agent without an app, cto serves a page on 127.0.0.1 that sends the app's manifest",
      "(name, permissions and events from templates/agent-roles.yaml, webhook URL) to GitHub; you",
      "confirm there, GitHub redirects back with a one-time code, and cto exchanges it for the app's",
      "id, client id and secret, webhook secret and private key, stored encrypted in the environment's",
      "stack. Each App's webhook is set to <webhook URL>/<agent> and that App's own webhook secret",
      "(run cto up so the platform verifies with it).",
      "Nothing secret is printed. Running it again keeps existing apps. New apps need your GitHub",
      "token (GITHUB_TOKEN or GH_TOKEN) to check that no private App already has the name.",
      "",
    ].join("\n"),
  );
  create.action(async (options) => {
    const { runAppsCreate } = await import("../github/run.js");
    process.exitCode = await runAppsCreate(options, processIO());
  });

  const test = defineTestWebhook(github);
  examples(test, ["cto github test-webhook --env dev"]);
  test.action(async (options) => {
    const { runTestWebhook } = await import("../github/run.js");
    process.exitCode = await runTestWebhook(options, processIO());
  });

  const status = defineStatus(github);
  examples(status, ["cto github status --env dev --json"]);
  status.action(async (options) => {
    const { runGithubStatus } = await import("../github/run.js");
    process.exitCode = await runGithubStatus(options, processIO());
  });

  const redeliver = defineRedeliver(github);
  examples(redeliver, [
    "cto github redeliver --agent rex --failed",
    "cto github redeliver --agent rex --delivery 12345",
  ]);
  redeliver.action(async (options) => {
    const { runRedeliver } = await import("../github/run.js");
    process.exitCode = await runRedeliver(options, processIO());
  });
}
