/**
 * The work behind `cto github apps create | test-webhook | status` (cli/commands/github.ts).
 * Progress goes to stderr, results to stdout (JSON with --json). Secret values are never printed.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UserError } from "../../config/errors.js";
import type { Plan } from "../../profiles/plan.js";
import {
  createAgentApps,
  detectOwner,
  githubStatus,
  GitHubApi,
  githubWebUrl,
  openBrowser,
  renderStatus,
  runManifestFlow,
  sendPing,
  appSecretName,
  tunnelSummary,
  type AppResult,
} from "../../stacks/github/index.js";
import { renderPlatform } from "../../templates/index.js";
import type { CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import { openStoreFor, storeForOptions } from "../secrets/run.js";

interface CommonOptions {
  file?: string;
  env?: string;
  json?: boolean;
}

export interface AppsCreateOptions extends CommonOptions {
  agents?: string;
  org?: string;
  rotateKeys?: boolean;
  keyFile?: string[];
  browser?: boolean;
  port?: string;
  waitInstall?: boolean;
  installTimeout?: string;
}

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
  const { plan } = await loadPlan(options, io);
  const agents = selectAgents(plan, options.agents);
  const keyFiles = parseKeyFiles(options.keyFile, agents, io.cwd);
  const org = options.org ?? plan.github.organization;
  // Manifests come from the templates; --org renames the owner before rendering (`<org>-<agent>`).
  const renderPlan: Plan = { ...plan, github: { ...plan.github, organization: org } };
  const rendered = renderPlatform(renderPlan, { env: io.env, randomStore: {} });
  const manifests = Object.fromEntries(agents.map((a) => [a, rendered.githubAppManifests[a]!]));
  if (!plan.github.webhookUrl) {
    say(
      "note: no webhook URL is configured (platform.domain, github.webhook_url or a tunnel); the apps are created with their webhook off",
    );
  }

  const api = apiFor(plan);
  const token = githubToken(io.env);
  const owner = await detectOwner(api, org, token);
  const store = await openStoreFor(plan, io);
  const webUrl = githubWebUrl(plan.github.baseUrl);
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
      say,
      runFlow: (_agent, manifest) =>
        runManifestFlow({
          api,
          webUrl,
          owner,
          manifest,
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

/** `cto github test-webhook`. */
export async function runTestWebhook(
  options: CommonOptions & { url?: string; app?: string },
  io: CommandIO,
): Promise<number> {
  const { plan, secrets: planSecrets } = await loadPlan(options, io);
  const url = options.url ?? plan.github.webhookUrl;
  if (!url) {
    throw new UserError(`environment ${plan.environment} has no webhook URL`, {
      hint: "set platform.domain, github.webhook_url or github.tunnel in cto.yaml, or pass --url",
    });
  }
  let secretName = "github.webhook_secret";
  if (options.app !== undefined) {
    if (!plan.agents.some((a) => a.name === options.app)) {
      throw new UserError(`--app ${options.app} is not an enabled agent`, {
        hint: `enabled agents: ${plan.agents.map((a) => a.name).join(", ")}`,
      });
    }
    secretName = appSecretName(options.app, "webhookSecret");
  }
  const secret = planSecrets[secretName] ?? (await (await openStoreFor(plan, io)).get(secretName));
  if (!secret) {
    throw new UserError(`no ${secretName} in cto.yaml or stack ${plan.environment}; cannot sign the ping`, {
      hint: options.app
        ? `create the app first: cto github apps create --agents ${options.app}`
        : `store the platform's webhook secret: cto secrets set github.webhook_secret --env ${plan.environment}`,
    });
  }
  let result;
  try {
    result = await sendPing({
      url,
      secret,
      target: {
        kind: plan.github.webhookMode,
        organization: plan.github.organization,
        repository: plan.github.repository,
      },
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new UserError(`cannot reach ${url}: ${cause}`, {
      hint: "is the platform up (cto status) and the URL reachable from here? For a laptop cluster configure github.tunnel",
      exitCode: 1,
    });
  }
  if (options.json) {
    io.print(JSON.stringify({ ...result, signedWith: secretName }, null, 2));
  } else {
    io.print(
      `ping → ${url}: ${result.status} in ${result.latencyMs} ms (delivery ${result.delivery}, signed with ${secretName})`,
    );
  }
  if (result.ok) return 0;
  const why =
    result.status === 401 || result.status === 403
      ? `the endpoint refused the delivery: it checks X-Hub-Signature-256 with a different secret than ${secretName}`
      : result.status === 404
        ? "nothing listens at that path: check github.webhook_url"
        : `the endpoint answered ${result.status}`;
  if (!options.json) say(`error: ${why}${result.response ? `\n  response: ${result.response}` : ""}`);
  return 1;
}

/** `cto github status`. */
export async function runGithubStatus(
  options: CommonOptions & { deliveries?: string },
  io: CommandIO,
): Promise<number> {
  const count = Number(options.deliveries ?? "5");
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new UserError(`--deliveries ${options.deliveries} must be a whole number from 1 to 100`);
  }
  const { plan, store } = await storeForOptions(options, io);
  const statuses = await githubStatus(
    apiFor(plan),
    store,
    plan.agents.map((a) => a.name),
    { deliveries: count },
  );
  const tunnel = tunnelSummary(plan);
  const webhook = { url: plan.github.webhookUrl ?? null, mode: plan.github.webhookMode, tunnel };
  if (options.json) {
    io.print(JSON.stringify({ environment: plan.environment, webhook, apps: statuses }, null, 2));
  } else {
    io.print(`webhook: ${webhook.url ?? "none configured"} (${webhook.mode})`);
    if (tunnel.provider !== "none") io.print(`tunnel: ${tunnel.text}`);
    for (const line of renderStatus(statuses)) io.print(line);
  }
  return statuses.some((s) => s.state === "refused") ? 1 : 0;
}
