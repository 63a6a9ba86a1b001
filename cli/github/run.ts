/**
 * The work behind `cto github apps create | test-webhook | status | redeliver`
 * (cli/commands/github.ts). Progress goes to stderr, results to stdout (JSON with --json). Secret
 * values are never printed.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UserError } from "../../config/errors.js";
import type { Plan } from "../../profiles/plan.js";
import { agentWebhookUrl } from "../../profiles/webhooks.js";
import {
  appSecretName,
  appWebhookSecrets,
  AppSession,
  createAgentApps,
  detectOwner,
  generatedAppWebhookSecrets,
  githubStatus,
  GitHubApi,
  githubWebUrl,
  openBrowser,
  renderStatus,
  runManifestFlow,
  sendPing,
  readAppCredentials,
  tunnelSummary,
  type AppResult,
} from "../../stacks/github/index.js";
import { renderPlatform } from "../../templates/index.js";
import type { CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { AppsCreateOptions, RedeliverOptions, StatusOptions, TestWebhookOptions } from "../commands/github.js";
import { openStoreFor, storeForOptions } from "../secrets/run.js";

const say = (line: string): void => void process.stderr.write(`${line}\n`);

function githubToken(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim() || undefined;
}

function apiFor(plan: Plan): GitHubApi {
  return new GitHubApi({ baseUrl: plan.github.baseUrl, onWait: say });
}

/** The agents to work on: `--agents` (each must be an enabled agent), else every enabled agent. */
function selectAgents(plan: Plan, list: string | undefined): string[] {
  const enabled = plan.agents.map((a) => a.name);
  if (list === undefined) {
    if (enabled.length === 0) {
      throw new UserError("no agents are enabled in this environment", {
        hint: "add agents under agents: in cto.yaml",
      });
    }
    return enabled;
  }
  const wanted = [
    ...new Set(
      list
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = wanted.filter((a) => !enabled.includes(a));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new UserError(
      wanted.length === 0
        ? "--agents is empty"
        : `--agents: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not an enabled agent of environment ${plan.environment}`,
      { hint: `enabled agents: ${enabled.join(", ") || "none"} (agents: in cto.yaml)` },
    );
  }
  return wanted;
}

function parseKeyFiles(specs: string[] | undefined, agents: string[], cwd: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of specs ?? []) {
    const m = /^([a-z0-9-]+)=(.+)$/.exec(spec);
    if (!m || !agents.includes(m[1] as string)) {
      throw new UserError(
        `--key-file ${spec.replace(/=.*/, "=…")}: expected AGENT=PATH for one of ${agents.join(", ")}`,
      );
    }
    files.set(m[1] as string, resolve(cwd, m[2] as string));
  }
  return files;
}

/** `cto github apps create`. */
export async function runAppsCreate(options: AppsCreateOptions, io: CommandIO): Promise<number> {
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new UserError(`--port ${options.port} is not a port number`, {
      hint: "give 1-65535, or omit it for a free port",
    });
  }
  const installTimeout = Number(options.installTimeout ?? "600");
  if (!Number.isFinite(installTimeout) || installTimeout <= 0) {
    throw new UserError(`--install-timeout ${options.installTimeout} is not a number of seconds`);
  }
  if (options.keyFile && !options.rotateKeys) {
    throw new UserError("--key-file only makes sense with --rotate-keys", { hint: "add --rotate-keys" });
  }
  const { plan, context } = await loadPlan(options, io);
  const agents = selectAgents(plan, options.agents);
  const keyFiles = parseKeyFiles(options.keyFile, agents, io.cwd);
  const org = options.org ?? plan.github.organization;
  // Manifests come from the templates; --org renames the owner before rendering (`<org>-<agent>`).
  const renderPlan: Plan = { ...plan, github: { ...plan.github, organization: org } };
  const rendered = renderPlatform(renderPlan, { env: io.env, randomStore: {} });
  const manifests = Object.fromEntries(agents.map((a) => [a, rendered.githubAppManifests[a]!]));
  if (!plan.github.webhookUrl) {
    say(
      "note: no webhook URL is configured (platform.domain, github.webhook_url or a tunnel); the apps are created without one, and cto up sets it once there is one",
    );
  }

  const api = apiFor(plan);
  const token = githubToken(io.env);
  const owner = await detectOwner(api, org, token);
  const store = await openStoreFor({ plan, context });
  const webUrl = githubWebUrl(plan.github.baseUrl);
  // Read once, and only when a kept App has no stored webhook secret.
  let generated: Promise<Record<string, unknown> | undefined> | undefined;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once("SIGINT", onSigint);
  let results: AppResult[];
  try {
    results = await createAgentApps({
      api,
      webUrl,
      owner,
      manifests,
      store,
      token,
      tokenHint: `export GITHUB_TOKEN=$(gh auth token) (a token of an owner or member of ${org}), then run the command again`,
      say,
      webhook: { urlFor: (agent) => agentWebhookUrl(plan, agent) },
      platformSecret: async (agent) => {
        generated ??= generatedAppWebhookSecrets(plan, { env: io.env });
        const value = (await generated)?.[agent];
        return typeof value === "string" && value !== "" ? value : undefined;
      },
      adoptKey: async (agent) => {
        const file = options.rotateKeys ? keyFiles.get(agent) : undefined;
        return file ? readKeyFile(file) : undefined;
      },
      runFlow: (agent, manifest) =>
        runManifestFlow({
          api,
          webUrl,
          owner,
          manifest,
          agent,
          say,
          port,
          signal: controller.signal,
          openBrowser: options.browser === false ? undefined : (url) => openBrowser(url, io.env),
        }),
      rotateKeys: options.rotateKeys
        ? {
            newPrivateKey: async (agent, settingsUrl) => {
              const file = keyFiles.get(agent);
              if (!file) {
                say(
                  `${agent}: private key kept; to rotate it, generate one at ${settingsUrl} and pass --key-file ${agent}=PATH`,
                );
                return undefined;
              }
              return readKeyFile(file);
            },
          }
        : undefined,
      waitForInstall: options.waitInstall ? { timeoutMs: installTimeout * 1000, pollMs: 5000 } : undefined,
    });
  } finally {
    process.removeListener("SIGINT", onSigint);
  }

  if (options.json) {
    io.print(JSON.stringify({ environment: plan.environment, owner, apps: results }, null, 2));
  } else {
    for (const r of results) {
      const installed = r.installation
        ? `installed (installation ${r.installation.id})`
        : `not installed: ${r.installUrl}`;
      io.print(
        `${r.agent}  ${r.name}  app ${r.appId}  ${r.outcome}${r.rotated.length ? ` (${r.rotated.join(", ")})` : ""}  ${installed}`,
      );
    }
  }
  return 0;
}

async function readKeyFile(file: string): Promise<string> {
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0)
      say(`warning: ${file} is readable by other users; delete it once cto has stored the key`);
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read --key-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${file} is not a PEM private key`, { hint: "give the .pem file GitHub downloaded" });
  }
  return text;
}

/**
 * `cto github test-webhook`: a ping like GitHub's to each agent's webhook URL (or `--url`), signed
 * with that agent's App's own webhook secret, the one GitHub signs the App's deliveries with and
 * the agent's endpoint verifies.
 */
export async function runTestWebhook(options: TestWebhookOptions, io: CommandIO): Promise<number> {
  const { plan, context } = await loadPlan(options, io);
  const agents = options.app === undefined ? plan.agents.map((a) => a.name) : [options.app];
  if (options.app !== undefined && !plan.agents.some((a) => a.name === options.app)) {
    throw new UserError(`--app ${options.app} is not an enabled agent`, {
      hint: `enabled agents: ${plan.agents.map((a) => a.name).join(", ")}`,
    });
  }
  if (options.url === undefined && !plan.github.webhookUrl) {
    throw new UserError(`environment ${plan.environment} has no webhook URL`, {
      hint: "set platform.domain, github.webhook_url or github.tunnel in cto.yaml, or pass --url",
    });
  }
  if (agents.length === 0)
    throw new UserError("no agents are enabled in this environment", { hint: "add agents under agents: in cto.yaml" });
  const store = await openStoreFor({ plan, context });
  const secrets = await appWebhookSecrets(store, agents, () => generatedAppWebhookSecrets(plan, { env: io.env }));
  const unsigned = agents.filter((a) => !secrets[a]);
  if (unsigned.length > 0) {
    throw new UserError(
      `no webhook secret for ${unsigned.join(", ")} in stack ${plan.environment}; cannot sign the ping`,
      {
        hint: `cto github apps create --agents ${unsigned.join(",")} stores one per App (cto up generates one for an App that has none), then cto up`,
      },
    );
  }
  const targets =
    options.url !== undefined
      ? [[agents[0] as string, options.url] as const]
      : agents.map((a) => [a, agentWebhookUrl(plan, a) as string] as const);
  const results = [];
  let failed = 0;
  for (const [agent, url] of targets) {
    const creds = await readAppCredentials(store, agent);
    const secret = secrets[agent] as { value: string; source: string };
    const signedWith =
      secret.source === "stored" ? appSecretName(agent, "webhookSecret") : "the secret cto up generated";
    const role = renderPlatform(plan, { env: io.env, randomStore: {} }).githubAppManifests[agent];
    let result;
    try {
      result = await sendPing({
        url,
        secret: secret.value,
        app: { id: Number(creds?.id ?? 0), events: role?.default_events ?? [] },
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new UserError(`cannot reach ${url}: ${cause}`, {
        hint: "is the platform up (cto status) and the URL reachable from here? For a laptop cluster configure github.tunnel",
        exitCode: 1,
      });
    }
    results.push({ agent, ...result, signedWith });
    if (!options.json) {
      io.print(
        `${agent}: ping → ${url}: ${result.status} in ${result.latencyMs} ms (delivery ${result.delivery}, signed with ${signedWith})`,
      );
    }
    if (result.ok) continue;
    failed++;
    const why =
      result.status === 401 || result.status === 403
        ? `the endpoint refused the delivery: it checks X-Hub-Signature-256 with a different secret than ${agent}'s App webhook secret (run cto up to give the platform the App's secret)`
        : result.status === 404
          ? `nothing listens at that path: the platform serves each agent at <webhook URL>/<agent>`
          : `the endpoint answered ${result.status}`;
    if (!options.json) say(`error: ${agent}: ${why}${result.response ? `\n  response: ${result.response}` : ""}`);
  }
  if (options.json) io.print(JSON.stringify(results, null, 2));
  return failed === 0 ? 0 : 1;
}

/** `cto github status`. */
export async function runGithubStatus(options: StatusOptions, io: CommandIO): Promise<number> {
  const count = Number(options.deliveries ?? "5");
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new UserError(`--deliveries ${options.deliveries} must be a whole number from 1 to 1000`);
  }
  const { plan, store } = await storeForOptions(options, io);
  const statuses = await githubStatus(
    apiFor(plan),
    store,
    plan.agents.map((a) => a.name),
    { deliveries: count, expectedUrl: (agent) => agentWebhookUrl(plan, agent) },
  );
  const tunnel = tunnelSummary(plan);
  const webhook = { url: plan.github.webhookUrl ?? null, perAgent: "<url>/<agent>", tunnel };
  // Where each App's own webhook secret is kept (never its value).
  const held = await appWebhookSecrets(
    store,
    statuses.map((s) => s.agent),
    () => generatedAppWebhookSecrets(plan, { env: io.env }),
  );
  const apps = statuses.map((s) => ({ ...s, webhookSecret: held[s.agent]?.source ?? ("none" as const) }));
  if (options.json) {
    io.print(JSON.stringify({ environment: plan.environment, webhook, apps }, null, 2));
  } else {
    io.print(
      `webhook: ${webhook.url ? `${webhook.url}/<agent> (each agent's App delivers to its own URL)` : "none configured"}`,
    );
    if (tunnel.provider !== "none") io.print(`tunnel: ${tunnel.text}`);
    for (const line of renderStatus(statuses, plan.environment)) io.print(line);
    const where = { stored: "its own, stored", generated: "its own, generated by cto up", none: "none yet" } as const;
    io.print(
      `webhook secrets: ${apps.map((a) => `${a.agent} ${where[a.webhookSecret]}`).join("; ")} (each App signs with its own; the platform verifies each agent's endpoint with it)`,
    );
  }
  return statuses.some((s) => s.state === "refused" || s.problems.length > 0) ? 1 : 0;
}

/** `cto github redeliver`: GitHub sends failed deliveries of an agent's App again. */
export async function runRedeliver(options: RedeliverOptions, io: CommandIO): Promise<number> {
  if ((options.delivery === undefined) === !options.failed) {
    throw new UserError("give either --delivery ID or --failed", {
      hint: "the ids are in: cto github status --json",
    });
  }
  const id = options.delivery === undefined ? undefined : Number(options.delivery);
  if (id !== undefined && !(Number.isInteger(id) && id > 0)) {
    throw new UserError(`--delivery ${options.delivery} is not a delivery id`, {
      hint: "the ids are in: cto github status --json",
    });
  }
  const { plan, store } = await storeForOptions(options, io);
  const agent = options.agent ?? "";
  if (!plan.agents.some((a) => a.name === agent)) {
    throw new UserError(`--agent ${agent || "(missing)"} is not an enabled agent`, {
      hint: `enabled agents: ${plan.agents.map((a) => a.name).join(", ")}`,
    });
  }
  const creds = await readAppCredentials(store, agent);
  if (!creds) {
    throw new UserError(`${agent} has no App in stack ${plan.environment}`, {
      hint: `create it: cto github apps create --agents ${agent}`,
    });
  }
  const session = new AppSession(apiFor(plan), creds.id, creds.privateKey);
  const ids =
    id !== undefined
      ? [id]
      : (await session.deliveries(100))
          .filter((d) => !(d.status_code >= 200 && d.status_code < 300) && !d.redelivery)
          .map((d) => d.id);
  for (const d of ids) {
    await session.redeliver(d);
    if (!options.json) io.print(`${agent}: asked GitHub to send delivery ${d} again`);
  }
  if (options.json) io.print(JSON.stringify({ agent, redelivered: ids }, null, 2));
  else if (ids.length === 0) io.print(`${agent}: no failed deliveries among the latest 100`);
  return 0;
}
