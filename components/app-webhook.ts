/**
 * `AppWebhookConfig` (`pulumi-nodejs:dynamic/cto:AppWebhookConfig`): where one agent's GitHub App delivers its
 * webhooks and the secret it signs them with, set on GitHub with `PATCH /app/hook/config` (url,
 * content_type json, secret; https://docs.github.com/rest/apps/webhooks#update-a-webhook-configuration-for-an-app).
 *
 * This is how an App created before the platform had a public URL gets it on the next `cto up`,
 * and how each App signs with its own webhook secret, the one its agent's endpoint verifies with. It authenticates as the App itself (a JWT signed with its private key): no user token.
 *
 * It is a Node dynamic resource: the provider below is serialized into the stack state and runs in
 * `pulumi-resource-pulumi-nodejs`, so every function it reaches is module-level and
 * self-contained, and Node built-ins are loaded with `await import()` inside them. This file is the
 * one component that talks to GitHub; it reads no files, environment or prompts.
 *
 * Diff: a new URL, secret, app or API base updates the config in place; a new private key alone
 * changes nothing on GitHub. Delete leaves the App's webhook as it is: GitHub has no API that
 * turns an App's webhook off, and the App itself belongs to the user (`cto github apps create`).
 */
import * as pulumi from "@pulumi/pulumi";

export interface AppWebhookConfigArgs {
  /** GitHub REST API base URL (`github.base_url`). */
  apiUrl: pulumi.Input<string>;
  /** The App's id (or client id): the JWT's `iss`. */
  appId: pulumi.Input<string>;
  /** The App's private key (PEM), a secret. */
  privateKey: pulumi.Input<string>;
  /** Where GitHub delivers this App's events (`agentWebhookUrl`). */
  url: pulumi.Input<string>;
  /** The webhook secret GitHub signs deliveries with, a secret. */
  secret: pulumi.Input<string>;
}

interface Inputs {
  apiUrl: string;
  appId: string;
  privateKey: string;
  url: string;
  secret: string;
}

interface Outputs {
  apiUrl: string;
  appId: string;
  url: string;
  /** SHA-256 of the secret, so a changed secret is seen without keeping it in the outputs. */
  secretHash: string;
}

/** PATCHes the App's webhook config, as the App; throws GitHub's answer when it is refused. */
async function patchHookConfig(inputs: Inputs): Promise<Outputs> {
  const crypto = await import("node:crypto");
  const b64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  // iat 60 s in the past against clock drift; exp within GitHub's 10-minute limit.
  const unsigned = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(
    JSON.stringify({ iat: now - 60, exp: now + 9 * 60, iss: inputs.appId }),
  )}`;
  const signature = crypto.createSign("RSA-SHA256").update(unsigned).sign(crypto.createPrivateKey(inputs.privateKey));
  const base = inputs.apiUrl.replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/app/hook/config`, {
      method: "PATCH",
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${unsigned}.${b64url(signature)}`,
        "Content-Type": "application/json",
        "User-Agent": "cto",
        "X-GitHub-Api-Version": "2022-11-28",
      },
      body: JSON.stringify({ url: inputs.url, content_type: "json", insecure_ssl: "0", secret: inputs.secret }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(
      `cannot reach ${base} to set GitHub App ${inputs.appId}'s webhook URL: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!res.ok) {
    const text = await res.text();
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON
    }
    const fix =
      res.status === 401 || res.status === 404
        ? "the App was deleted or its key revoked: check with cto github status, then cto github apps create"
        : "check the URL and run cto up again";
    throw new Error(
      `GitHub answered ${res.status} to PATCH /app/hook/config for App ${inputs.appId} (${message}); ${fix}`,
    );
  }
  await res.text();
  return {
    apiUrl: inputs.apiUrl,
    appId: inputs.appId,
    url: inputs.url,
    secretHash: crypto.createHash("sha256").update(inputs.secret).digest("hex"),
  };
}

/** The dynamic provider (exported for tests). */
export const appWebhookConfigProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async create(inputs) {
    const outs = await patchHookConfig(inputs);
    return { id: `app-${inputs.appId}-hook`, outs };
  },
  async diff(_id, olds, news) {
    const crypto = await import("node:crypto");
    const secretHash = crypto.createHash("sha256").update(news.secret).digest("hex");
    const changed =
      olds.apiUrl !== news.apiUrl ||
      olds.appId !== news.appId ||
      olds.url !== news.url ||
      olds.secretHash !== secretHash;
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },
  async update(_id, _olds, news) {
    return { outs: await patchHookConfig(news) };
  },
  async delete() {
    // Left as it is on purpose (see the module comment).
  },
};

/** One App's webhook URL and secret on GitHub (see the module comment). */
export class AppWebhookConfig extends pulumi.dynamic.Resource {
  declare public readonly url: pulumi.Output<string>;
  declare public readonly appId: pulumi.Output<string>;

  constructor(name: string, args: AppWebhookConfigArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      appWebhookConfigProvider,
      name,
      {
        apiUrl: args.apiUrl,
        appId: args.appId,
        privateKey: pulumi.secret(args.privateKey),
        url: args.url,
        secret: pulumi.secret(args.secret),
        secretHash: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["privateKey", "secret"] }),
      "cto",
      "AppWebhookConfig",
    );
  }
}
