/**
 * A GitHub App's credentials as stack secrets. The names are the ones
 * templates/platform/secrets.yaml.hbs maps into the `cto-github-app-<agent>` Kubernetes Secret
 * (`github.apps.<agent>.id`, `.client_id`, `.client_secret`, `.private_key`, `.webhook_secret`),
 * plus `.slug`, which `cto github status` uses to name the app. `.webhook_secret` is the App's own
 * webhook secret: GitHub signs the App's deliveries with it and the agent's EventSource endpoint
 * verifies them with it (Secret `cto-github-app-<agent>`, key `webhook-secret`).
 */
import { randomBytes } from "node:crypto";
import type { SecretsStore } from "../secrets-store.js";
import type { ManifestConversion } from "./manifest-flow.js";

export interface AppCredentials {
  id: string;
  slug: string;
  clientId: string;
  clientSecret: string;
  privateKey: string;
  webhookSecret?: string;
}

const FIELDS = {
  id: "id",
  slug: "slug",
  clientId: "client_id",
  clientSecret: "client_secret",
  privateKey: "private_key",
  webhookSecret: "webhook_secret",
} as const satisfies Record<keyof AppCredentials, string>;

/** Stack secret name of one credential of an agent's app. */
export function appSecretName(agent: string, field: keyof AppCredentials): string {
  return `github.apps.${agent}.${FIELDS[field]}`;
}

/** Every stack secret name an agent's app may have. */
export function appSecretNames(agent: string): string[] {
  return (Object.keys(FIELDS) as (keyof AppCredentials)[]).map((f) => appSecretName(agent, f));
}

/** A new random webhook secret for an App (32 random bytes, hex). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString("hex");
}

/**
 * The credentials from a manifest conversion, with the App's own webhook secret: the one GitHub
 * generated (`webhook_secret`), or a new random one when GitHub returned none (an App created
 * without a webhook URL).
 */
export function fromConversion(app: ManifestConversion): AppCredentials {
  return {
    id: String(app.id),
    slug: app.slug,
    clientId: app.client_id,
    clientSecret: app.client_secret,
    privateKey: app.pem,
    webhookSecret: app.webhook_secret || newWebhookSecret(),
  };
}

/** Reads an agent's stored app credentials; undefined unless at least the id and private key are stored. */
export async function readAppCredentials(store: SecretsStore, agent: string): Promise<AppCredentials | undefined> {
  const got = await store.getMany(appSecretNames(agent));
  const field = (f: keyof AppCredentials): string | undefined => got[appSecretName(agent, f)];
  const id = field("id");
  const privateKey = field("privateKey");
  if (!id || !privateKey) return undefined;
  const webhookSecret = field("webhookSecret");
  return {
    id,
    privateKey,
    slug: field("slug") ?? "",
    clientId: field("clientId") ?? "",
    clientSecret: field("clientSecret") ?? "",
    ...(webhookSecret ? { webhookSecret } : {}),
  };
}

/** Stores an agent's app credentials (all at once). */
export async function writeAppCredentials(store: SecretsStore, agent: string, creds: AppCredentials): Promise<void> {
  const values: Record<string, string> = {};
  for (const f of Object.keys(FIELDS) as (keyof AppCredentials)[]) {
    const v = creds[f];
    if (v !== undefined && v !== "") values[appSecretName(agent, f)] = v;
  }
  await store.setMany(values);
}
