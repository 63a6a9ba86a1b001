/**
 * `cto github apps create`: one GitHub App per agent, idempotently.
 *
 * 1. Detect, for every selected agent, before anything is created:
 *    - credentials stored in the stack and accepted by GitHub (`GET /app`) → the app is kept;
 *    - credentials stored but refused (the app was deleted or its key revoked) → an error naming
 *      the agent, with the commands that forget them;
 *    - nothing stored, but an app with the manifest's name exists → an error (cto cannot get the
 *      key of an app it did not create): rename it through `github.apps.<agent>.slug` or delete it;
 *    - otherwise the app is missing and is created through the manifest flow.
 * 2. Create the missing apps one by one; each app's credentials are stored as stack secrets as
 *    soon as GitHub hands them over, so an interruption keeps what was created.
 * 3. With `rotateKeys`, kept apps get a new webhook secret (`PATCH /app/hook/config`) and, when a
 *    new private key is supplied (GitHub only issues keys on the app's settings page), that key
 *    after checking GitHub accepts it.
 * 4. Installation: each app's installation on the owner is looked up; when missing, the install
 *    page is shown and, if asked, polled until the app is installed.
 */
import { randomBytes } from "node:crypto";
import { UserError } from "../../config/errors.js";
import type { GitHubAppManifest } from "../../templates/rendered.js";
import type { SecretsStore } from "../secrets-store.js";
import { GitHubApi, GitHubHttpError } from "./api.js";
import { AppSession, installationOn, type Installation } from "./app-auth.js";
import {
  appSecretName,
  appSecretNames,
  fromConversion,
  readAppCredentials,
  writeAppCredentials,
  type AppCredentials,
} from "./credentials.js";
import type { ManifestConversion } from "./manifest-flow.js";
import { appSettingsUrl, installUrl, slugFromName, type AppOwner } from "./urls.js";

export type AppOutcome = "created" | "kept" | "rotated";

export interface AppResult {
  agent: string;
  name: string;
  slug: string;
  appId: string;
  outcome: AppOutcome;
  /** What was rotated, with `rotateKeys`. */
  rotated: ("webhook_secret" | "private_key")[];
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
  rotateKeys?: {
    /** Returns a new private key (PEM) for the app, or undefined to keep the current one. */
    newPrivateKey: (agent: string, settingsUrl: string) => Promise<string | undefined>;
  };
  /** Wait until each app is installed on the owner; undefined: only report. */
  waitForInstall?: { timeoutMs: number; pollMs: number };
  sleep?: (ms: number) => Promise<void>;
  /** A GitHub token (GITHUB_TOKEN) for the public app lookup, if the user has one. */
  token?: string;
}

type Detected =
  | { agent: string; state: "kept"; creds: AppCredentials; name: string; htmlUrl: string }
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
      options.say(`${d.agent}: ${d.name} exists (app ${d.creds.id}); kept`);
      const rotated = options.rotateKeys ? await rotate(options, d.agent, d.creds) : [];
      results.push({
        agent: d.agent,
        name: d.name,
        slug: d.creds.slug,
        appId: d.creds.id,
        outcome: rotated.length > 0 ? "rotated" : "kept",
        rotated,
        installation: null,
        installUrl: installUrl(d.htmlUrl),
      });
      continue;
    }
    const manifest = options.manifests[d.agent] as GitHubAppManifest;
    const app = await options.runFlow(d.agent, manifest);
    await writeAppCredentials(options.store, d.agent, fromConversion(app));
    options.say(
      `${d.agent}: created ${app.name} (app ${app.id}); its id, client id, private key and secrets are stored encrypted in stack ${options.store.environment}`,
    );
    results.push({
      agent: d.agent,
      name: app.name,
      slug: app.slug,
      appId: String(app.id),
      outcome: "created",
      rotated: [],
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
  const existing = await options.api.find<{ id: number }>(
    "GET",
    `/apps/${encodeURIComponent(slug)}`,
    tokenAuth(options.token),
  );
  if (existing) return { agent, state: "conflict", name: manifest.name, slug };
  return { agent, state: "missing" };
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

/** New webhook secret (always) and private key (when one is supplied) for a kept app. */
async function rotate(
  options: CreateAppsOptions,
  agent: string,
  creds: AppCredentials,
): Promise<("webhook_secret" | "private_key")[]> {
  const rotated: ("webhook_secret" | "private_key")[] = [];
  const session = new AppSession(options.api, creds.id, creds.privateKey);
  const webhookSecret = randomBytes(32).toString("hex");
  await session.setHookSecret(webhookSecret);
  await options.store.set(appSecretName(agent, "webhookSecret"), webhookSecret);
  rotated.push("webhook_secret");
  options.say(`${agent}: new webhook secret set on GitHub and stored`);

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
