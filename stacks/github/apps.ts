/**
 * `cto github apps create`: one GitHub App per agent, idempotently.
 *
 * 1. Detect, for every selected agent, before anything is created:
 *    - credentials stored in the stack and accepted by GitHub (`GET /app` as the App) → kept;
 *    - credentials stored but refused (the app was deleted or its key revoked) → an error naming
 *      the agent, with the commands that forget them;
 *    - nothing stored: the name is looked up with the user's token (`GET /apps/{slug}`; GitHub
 *      answers 404 to anonymous lookups of private Apps, so a token is required). An App of that
 *      name → an error (cto cannot get the key of an App it did not create), unless a key file
 *      for it was given (`--rotate-keys --key-file`): then the key is checked with GitHub and the
 *      App is stored ("recovered", e.g. after a conversion whose answer was lost);
 *    - otherwise the app is missing and is created through the manifest flow.
 * 2. Create the missing apps one by one; each app's credentials are stored as stack secrets as
 *    soon as GitHub hands them over, so an interruption keeps what was created.
 * 3. Every App's webhook is set to its agent's URL (when known) and that App's own webhook secret
 *    (`PATCH /app/hook/config`), right after creation and on every run. The secret is stored as
 *    `github.apps.<agent>.webhook_secret`: GitHub's own from the conversion, else a new random one
 *    (an App stored by an earlier version, or recovered by its key, gets one here).
 * 4. With `rotateKeys`, kept apps get a new webhook secret, and a new private key when one is
 *    supplied (GitHub only issues keys on the app's settings page), after checking GitHub accepts it.
 * 5. Installation: each app's installation on the owner is looked up; when missing, the install
 *    page is shown and, if asked, polled until the app is installed.
 */
import { UserError } from "../../config/errors.js";
import type { GitHubAppManifest } from "../../templates/rendered.js";
import type { SecretsStore } from "../secrets-store.js";
import { GitHubApi, GitHubHttpError } from "./api.js";
import { AppSession, installationOn, type AppInfo, type Installation } from "./app-auth.js";
import {
  appSecretName,
  appSecretNames,
  fromConversion,
  newWebhookSecret,
  readAppCredentials,
  writeAppCredentials,
  type AppCredentials,
} from "./credentials.js";
import type { ManifestConversion } from "./manifest-flow.js";
import { appSettingsUrl, installUrl, slugFromName, type AppOwner } from "./urls.js";

export type AppOutcome = "created" | "kept" | "rotated" | "recovered";

export interface AppResult {
  agent: string;
  name: string;
  slug: string;
  appId: string;
  outcome: AppOutcome;
  /** What was rotated, with `rotateKeys`. */
  rotated: ("webhook_secret" | "private_key")[];
  /** Where the App's webhook now delivers (null: no public URL yet). */
  webhookUrl: string | null;
  installation: { id: number; repositorySelection?: string } | null;
  installUrl: string;
}

export interface CreateAppsOptions {
  api: GitHubApi;
  webUrl: string;
  owner: AppOwner;
  /** Manifests of the selected agents, by agent name. */
  manifests: Record<string, GitHubAppManifest>;
  store: SecretsStore;
  /** Runs the manifest flow for one app (the browser part). */
  runFlow: (agent: string, manifest: GitHubAppManifest) => Promise<ManifestConversion>;
  say: (message: string) => void;
  /** A private key file the user gave for an agent (`--key-file`), to recover an App by its key. */
  adoptKey?: (agent: string) => Promise<string | undefined>;
  rotateKeys?: {
    /** Returns a new private key (PEM) for the app, or undefined to keep the current one. */
    newPrivateKey: (agent: string, settingsUrl: string) => Promise<string | undefined>;
  };
  /** Each agent's webhook URL (undefined: no public URL yet). */
  webhook: { urlFor: (agent: string) => string | undefined };
  /** Makes a new webhook secret (default: 32 random bytes, hex). */
  newSecret?: () => string;
  /**
   * The secret the platform already verifies an agent's endpoint with when none is stored (the one
   * `cto up` generated in the stack); a kept App without a stored secret adopts it instead of a new
   * one, so the platform need not change.
   */
  platformSecret?: (agent: string) => Promise<string | undefined>;
  /** Wait until each app is installed on the owner; undefined: only report. */
  waitForInstall?: { timeoutMs: number; pollMs: number };
  sleep?: (ms: number) => Promise<void>;
  /**
   * The user's GitHub token (GITHUB_TOKEN / GH_TOKEN): needed to see whether a private App of a
   * new App's name exists. Without it nothing is created.
   */
  token?: string;
  /** Where to get the user's token (named in the error when it is missing). */
  tokenHint?: string;
}

type Detected =
  | { agent: string; state: "kept"; creds: AppCredentials; name: string; htmlUrl: string; recovered?: boolean }
  | { agent: string; state: "missing" }
  | { agent: string; state: "stale"; why: string }
  | { agent: string; state: "conflict"; name: string; slug: string };

/** Creates (or keeps) the apps and returns one result per agent, in the manifests' order. */
export async function createAgentApps(options: CreateAppsOptions): Promise<AppResult[]> {
  const agents = Object.keys(options.manifests);
  const detected: Detected[] = [];
  for (const agent of agents) detected.push(await detect(options, agent));

  const problems = detected.filter((d) => d.state === "stale" || d.state === "conflict");
  if (problems.length > 0) throw detectionError(options, problems);

  const results: AppResult[] = [];
  for (const d of detected) {
    if (d.state === "kept") {
      options.say(`${d.agent}: ${d.name} ${d.recovered ? "recovered" : "exists"} (app ${d.creds.id}); kept`);
      const rotated = options.rotateKeys ? await rotate(options, d.agent, d.creds) : [];
      const fresh = await ensureWebhookSecret(options, d.agent, d.creds, options.rotateKeys !== undefined);
      if (fresh && options.rotateKeys) rotated.unshift("webhook_secret");
      const webhookUrl = await configureWebhook(options, d.agent, d.creds, fresh);
      results.push({
        agent: d.agent,
        name: d.name,
        slug: d.creds.slug,
        appId: d.creds.id,
        outcome: d.recovered ? "recovered" : rotated.length > 0 ? "rotated" : "kept",
        rotated,
        webhookUrl,
        installation: null,
        installUrl: installUrl(d.htmlUrl),
      });
      continue;
    }
    const manifest = options.manifests[d.agent] as GitHubAppManifest;
    const app = await options.runFlow(d.agent, manifest);
    const creds = fromConversion(app);
    await writeAppCredentials(options.store, d.agent, creds);
    options.say(
      `${d.agent}: created ${app.name} (app ${app.id}); its id, client id, private key, client secret and webhook secret are stored encrypted in stack ${options.store.environment}`,
    );
    const webhookUrl = await configureWebhook(options, d.agent, creds, true);
    results.push({
      agent: d.agent,
      name: app.name,
      slug: app.slug,
      appId: String(app.id),
      outcome: "created",
      rotated: [],
      webhookUrl,
      installation: null,
      installUrl: installUrl(app.html_url),
    });
  }

  for (const result of results) {
    const creds = (await readAppCredentials(options.store, result.agent)) as AppCredentials;
    const session = new AppSession(options.api, creds.id, creds.privateKey);
    const found = await waitForInstallation(options, session, result);
    result.installation = found ? { id: found.id, repositorySelection: found.repository_selection } : null;
  }
  return results;
}

async function detect(options: CreateAppsOptions, agent: string): Promise<Detected> {
  const creds = await readAppCredentials(options.store, agent);
  const manifest = options.manifests[agent] as GitHubAppManifest;
  if (creds) {
    try {
      const app = await new AppSession(options.api, creds.id, creds.privateKey).app();
      return {
        agent,
        state: "kept",
        creds: { ...creds, slug: creds.slug || app.slug },
        name: app.name,
        htmlUrl: app.html_url,
      };
    } catch (err) {
      if (err instanceof GitHubHttpError && (err.status === 401 || err.status === 404)) {
        return {
          agent,
          state: "stale",
          why: `GitHub refuses its stored credentials (app ${creds.id}, ${err.status}: ${err.githubMessage || "no message"}); the app was deleted or its key revoked`,
        };
      }
      throw err;
    }
  }
  const slug = slugFromName(manifest.name);
  if (!options.token) {
    throw new UserError(
      `cto needs your GitHub token to check that no App named ${manifest.name} exists yet: GitHub answers 404 to anonymous lookups of private Apps, so a leftover App would go unnoticed until GitHub refuses the name in the browser; nothing was created`,
      { hint: options.tokenHint ?? "export GITHUB_TOKEN=$(gh auth token), then run the command again" },
    );
  }
  let existing: AppInfo | undefined;
  try {
    existing = await options.api.find<AppInfo>("GET", `/apps/${encodeURIComponent(slug)}`, {
      auth: { kind: "token", token: options.token },
    });
  } catch (err) {
    if (err instanceof GitHubHttpError && (err.status === 401 || err.status === 403)) {
      throw new UserError(
        `GitHub refused your token (${err.status}${err.githubMessage ? `: ${err.githubMessage}` : ""}) when cto looked for an App named ${manifest.name}; nothing was created`,
        { hint: options.tokenHint ?? "export GITHUB_TOKEN=$(gh auth token), then run the command again", cause: err },
      );
    }
    throw err;
  }
  if (!existing) return { agent, state: "missing" };
  const pem = await options.adoptKey?.(agent);
  if (!pem) return { agent, state: "conflict", name: manifest.name, slug };
  // A key for the App of that name (e.g. after a conversion whose answer was lost): check it.
  const settings = `${appSettingsUrl(options.webUrl, options.owner, slug)}#private-key`;
  let app: AppInfo;
  try {
    app = await new AppSession(options.api, String(existing.id), pem).app();
  } catch (err) {
    if (err instanceof GitHubHttpError && err.status === 401) {
      throw new UserError(`${agent}: GitHub does not accept the given key for App ${existing.slug} (${existing.id})`, {
        hint: `generate a key for this App at ${settings} and give that file`,
      });
    }
    throw err;
  }
  const recovered: AppCredentials = {
    id: String(app.id),
    slug: app.slug,
    clientId: app.client_id ?? "",
    clientSecret: "",
    privateKey: pem,
  };
  await writeAppCredentials(options.store, agent, recovered);
  options.say(
    `${agent}: the key was accepted for ${app.name} (app ${app.id}); stored. Its client secret cannot be recovered: generate one at ${appSettingsUrl(options.webUrl, options.owner, slug)} and store it with cto secrets set ${appSecretName(agent, "clientSecret")}`,
  );
  return { agent, state: "kept", creds: recovered, name: app.name, htmlUrl: app.html_url, recovered: true };
}

function detectionError(options: CreateAppsOptions, problems: Detected[]): UserError {
  const lines: string[] = [];
  const fixes: string[] = [];
  for (const p of problems) {
    if (p.state === "stale") {
      lines.push(`  ${p.agent}: ${p.why}`);
      fixes.push(`forget them with: cto secrets rm --env ${options.store.environment} 'github.apps.${p.agent}.*'`);
    } else if (p.state === "conflict") {
      const settings = appSettingsUrl(options.webUrl, options.owner, p.slug);
      lines.push(
        `  ${p.agent}: a GitHub App named ${p.name} already exists, but this environment holds no credentials for it`,
      );
      fixes.push(
        `delete it at ${settings} (or, if you have its key, store it: cto secrets set ${appSecretName(p.agent, "privateKey")} and ${appSecretName(p.agent, "id")}), or choose another name with github.apps.${p.agent}.slug in cto.yaml`,
      );
    }
  }
  return new UserError(`nothing was created; ${problems.length} app(s) need attention first:\n${lines.join("\n")}`, {
    hint: [...new Set(fixes)].join("\n     "),
  });
}

/**
 * Gives a kept App a new webhook secret when it has none stored (an App stored by an earlier
 * version, which signed with the stack's shared secret, or one recovered by its key) or when
 * `rotate`; stores it. True when the secret is new.
 */
async function ensureWebhookSecret(
  options: CreateAppsOptions,
  agent: string,
  creds: AppCredentials,
  rotate: boolean,
): Promise<boolean> {
  if (creds.webhookSecret && !rotate) return false;
  const had = Boolean(creds.webhookSecret);
  const held = had ? undefined : await options.platformSecret?.(agent);
  if (held) {
    creds.webhookSecret = held;
    await options.store.set(appSecretName(agent, "webhookSecret"), held);
    options.say(
      `${agent}: the webhook secret cto up generated for this App is now stored as ${appSecretName(agent, "webhookSecret")}`,
    );
    return false;
  }
  creds.webhookSecret = (options.newSecret ?? newWebhookSecret)();
  await options.store.set(appSecretName(agent, "webhookSecret"), creds.webhookSecret);
  options.say(
    `${agent}: ${had ? "new" : "own"} webhook secret generated and stored encrypted as ${appSecretName(agent, "webhookSecret")}`,
  );
  return true;
}

/**
 * Sets the App's webhook to its agent's URL (when known) and the App's own webhook secret; returns
 * the URL. GitHub signs every delivery of the App with that secret, the one the agent's endpoint
 * checks once `cto up` has given it to the platform.
 */
async function configureWebhook(
  options: CreateAppsOptions,
  agent: string,
  creds: AppCredentials,
  fresh: boolean,
): Promise<string | null> {
  const url = options.webhook.urlFor(agent);
  const session = new AppSession(options.api, creds.id, creds.privateKey);
  await session.setHookConfig({ ...(url ? { url } : {}), secret: creds.webhookSecret as string });
  const then = fresh ? "; run cto up so the platform verifies with it" : "";
  options.say(
    url
      ? `${agent}: webhook → ${url}, signed with the App's own webhook secret${then}`
      : `${agent}: webhook secret set; no public webhook URL yet (cto up sets it once platform.domain, github.webhook_url or a tunnel gives one)${then}`,
  );
  return url ?? null;
}

/** A new private key for a kept app, when one is supplied. */
async function rotate(
  options: CreateAppsOptions,
  agent: string,
  creds: AppCredentials,
): Promise<("webhook_secret" | "private_key")[]> {
  const rotated: ("webhook_secret" | "private_key")[] = [];
  const settings = `${appSettingsUrl(options.webUrl, options.owner, creds.slug)}#private-key`;
  const pem = await options.rotateKeys?.newPrivateKey(agent, settings);
  if (pem) {
    const check = new AppSession(options.api, creds.id, pem);
    try {
      await check.app();
    } catch (err) {
      if (err instanceof GitHubHttpError && err.status === 401) {
        throw new UserError(`${agent}: GitHub does not accept the new private key for app ${creds.id}`, {
          hint: `generate a key for this app at ${settings} and give that file`,
        });
      }
      throw err;
    }
    await options.store.set(appSecretName(agent, "privateKey"), pem);
    creds.privateKey = pem;
    rotated.push("private_key");
    options.say(
      `${agent}: new private key verified and stored; delete the old key at ${settings} and the downloaded .pem file`,
    );
  }
  return rotated;
}

async function waitForInstallation(
  options: CreateAppsOptions,
  session: AppSession,
  result: AppResult,
): Promise<Installation | undefined> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let found = installationOn(await session.installations(), options.owner.login);
  if (found) {
    options.say(`${result.agent}: ${result.name} is installed on ${options.owner.login} (installation ${found.id})`);
    return found;
  }
  options.say(`${result.agent}: install ${result.name} on ${options.owner.login}: ${result.installUrl}`);
  if (!options.waitForInstall) return undefined;
  const deadline = Date.now() + options.waitForInstall.timeoutMs;
  options.say(
    `${result.agent}: waiting for the installation (checking every ${options.waitForInstall.pollMs / 1000}s)`,
  );
  while (Date.now() < deadline) {
    await sleep(options.waitForInstall.pollMs);
    found = installationOn(await session.installations(), options.owner.login);
    if (found) {
      options.say(`${result.agent}: ${result.name} installed on ${options.owner.login} (installation ${found.id})`);
      return found;
    }
  }
  options.say(
    `${result.agent}: not installed yet; install it at ${result.installUrl}, then check with cto github status`,
  );
  return undefined;
}

/** Names of all stack secrets of the given agents' apps (for `cto secrets rm`). */
export function agentSecretNames(agents: string[]): string[] {
  return agents.flatMap(appSecretNames);
}

/** Sends the user's token on public lookups when there is one (a GitHub Enterprise Server may require it). */
function tokenAuth(token: string | undefined): { auth?: { kind: "token"; token: string } } {
  return token ? { auth: { kind: "token", token } } : {};
}

/** Whether `login` is an organisation or a user (`GET /users/{login}`). */
export async function detectOwner(api: GitHubApi, login: string, token?: string): Promise<AppOwner> {
  const user = await api.find<{ login: string; type: string }>(
    "GET",
    `/users/${encodeURIComponent(login)}`,
    tokenAuth(token),
  );
  if (!user) {
    throw new UserError(`GitHub (${api.baseUrl}) has no organisation or user named ${login}`, {
      hint: "check github.organization in cto.yaml, or pass --org ORG",
    });
  }
  return { kind: user.type === "Organization" ? "organization" : "user", login: user.login };
}
