/**
 * Where Pulumi keeps the stacks, and the key to their secrets.
 *
 * Backend (plan `state.backend_url`, else `PULUMI_BACKEND_URL`, else `file://~/.cto/state`):
 * - `file://DIR`: DIR is writable (or can be created);
 * - `https://` (Pulumi Cloud or self-hosted): the service answers and an access token is present;
 * - `s3://`, `gs://`, `azblob://`: credentials are present in the environment or the usual
 *   files; bucket access itself is verified by Pulumi when `cto up` opens the stack.
 *
 * Secrets (`passphrase` provider): `PULUMI_CONFIG_PASSPHRASE`, `PULUMI_CONFIG_PASSPHRASE_FILE`, or
 * the 0600 file `cto` keeps under `~/.cto`. With none of them a new stack gets a generated
 * passphrase, but an existing stack cannot be decrypted: that case is critical.
 */
import path from "node:path";
import { fileBackendDir } from "../../backend.js";
import { PASSPHRASE_FILE_NAME } from "../../passphrase.js";
import type { Check, CheckContext } from "../types.js";
import { fail, ok, skip, warn } from "./common.js";

/** Default state location; the lifecycle passes its own when it differs (see `PreflightOptions`). */
export const DEFAULT_BACKEND = "file://~/.cto/state";
/** Default passphrase file, relative to `~/.cto`. */

export interface StateSettings {
  backendUrl: string;
  /** Where the passphrase file is (absolute). */
  passphraseFile: string;
  /** Pulumi project the stacks live in. */
  project: string;
}

/** Backend, passphrase file and project as the lifecycle will use them. */
export function stateSettings(ctx: CheckContext, overrides: Partial<StateSettings> = {}): StateSettings {
  return {
    backendUrl:
      overrides.backendUrl ?? ctx.plan.state.backendUrl ?? ctx.probes.env.PULUMI_BACKEND_URL ?? DEFAULT_BACKEND,
    passphraseFile: overrides.passphraseFile ?? path.join(ctx.ctoHome, PASSPHRASE_FILE_NAME),
    project: overrides.project ?? ctx.plan.platform.name,
  };
}

async function anyExists(ctx: CheckContext, files: string[]): Promise<string | undefined> {
  for (const f of files) if (await ctx.probes.exists(f)) return f;
  return undefined;
}

/** Credentials for object-storage backends: which environment variables or files provide them. */
async function cloudCredentials(ctx: CheckContext, scheme: string): Promise<string | undefined> {
  const env = ctx.probes.env;
  const home = ctx.probes.home;
  const fromEnv = (names: string[]): string | undefined => names.find((n) => (env[n] ?? "") !== "");
  if (scheme === "s3") {
    const v = fromEnv([
      "AWS_ACCESS_KEY_ID",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]);
    return v ?? (await anyExists(ctx, [path.join(home, ".aws", "credentials"), path.join(home, ".aws", "config")]));
  }
  if (scheme === "gs") {
    const v = fromEnv(["GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS"]);
    return v ?? (await anyExists(ctx, [path.join(home, ".config", "gcloud", "application_default_credentials.json")]));
  }
  if (scheme === "azblob") {
    if (!fromEnv(["AZURE_STORAGE_ACCOUNT"])) return undefined;
    return (
      fromEnv(["AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_CLIENT_ID"]) ??
      (await anyExists(ctx, [path.join(home, ".azure")]))
    );
  }
  return undefined;
}

const CLOUD_FIX: Record<string, string> = {
  s3: "Configure AWS credentials (aws configure, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)",
  gs: "gcloud auth application-default login   (or set GOOGLE_APPLICATION_CREDENTIALS)",
  azblob: "Set AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY (or run az login)",
};

export function backendCheck(overrides: Partial<StateSettings> = {}): Check {
  return {
    id: "state.backend",
    name: "State backend",
    critical: true,
    appliesTo: () => true,
    async run(ctx) {
      const { backendUrl } = stateSettings(ctx, overrides);
      const scheme = /^([a-z0-9]+):\/\//.exec(backendUrl)?.[1] ?? "";
      if (scheme === "file") {
        const dir = fileBackendDir(backendUrl, ctx.probes.home);
        const w = await ctx.probes.writableDir(dir);
        if (!w.ok)
          return fail(
            `${backendUrl}: ${w.reason}`,
            `Make ${dir} writable for this user, or set state.backend_url in cto.yaml`,
            { url: backendUrl, dir },
          );
        return ok(w.exists ? `${dir} is writable` : `${dir} will be created (${w.checked} is writable)`, {
          url: backendUrl,
          dir,
        });
      }
      if (scheme === "https" || scheme === "http") {
        const base = backendUrl.replace(/\/+$/, "");
        const api = /^https:\/\/app\.pulumi\.com$/.test(base) ? "https://api.pulumi.com" : base;
        const res = await ctx.probes.httpGet(`${api}/api/capabilities`, {
          Accept: "application/json",
          "User-Agent": "cto-doctor",
        });
        if (!res.ok) {
          return fail(
            `${backendUrl} is not reachable: ${res.message}`,
            `Check the network and the URL, or use a file:// backend (state.backend_url in cto.yaml)`,
            { url: backendUrl },
          );
        }
        const token = (ctx.probes.env.PULUMI_ACCESS_TOKEN ?? "") !== "";
        const creds = token
          ? "PULUMI_ACCESS_TOKEN"
          : await anyExists(ctx, [path.join(ctx.probes.home, ".pulumi", "credentials.json")]);
        if (!creds) {
          return fail(
            `${backendUrl} answers (HTTP ${res.status}) but no access token is set`,
            `pulumi login ${backendUrl}   (or export PULUMI_ACCESS_TOKEN=...)`,
            { url: backendUrl },
          );
        }
        return ok(`${backendUrl} answers (HTTP ${res.status}); token from ${token ? "PULUMI_ACCESS_TOKEN" : creds}`, {
          url: backendUrl,
        });
      }
      if (scheme in CLOUD_FIX) {
        const source = await cloudCredentials(ctx, scheme);
        const fix = CLOUD_FIX[scheme] as string;
        if (!source) {
          return {
            ...warn(
              `${backendUrl}: no ${scheme} credentials in the environment or the usual files (an instance role may still provide them)`,
              fix,
              { url: backendUrl },
            ),
            critical: false,
          };
        }
        return ok(`${backendUrl}: credentials from ${source}; bucket access is verified when cto up opens the stack`, {
          url: backendUrl,
          source,
        });
      }
      return fail(
        `unsupported backend URL ${backendUrl}`,
        "Use file://, s3://, gs://, azblob:// or https:// in state.backend_url",
      );
    },
  };
}

export function passphraseCheck(overrides: Partial<StateSettings> = {}): Check {
  return {
    id: "state.passphrase",
    name: "Secrets passphrase",
    critical: true,
    appliesTo: () => true,
    async run(ctx) {
      const provider = ctx.plan.state.secretsProvider;
      if (provider !== "passphrase") {
        return skip(
          `secrets provider ${provider.split("://")[0]}: Pulumi checks access to the key when cto up opens the stack`,
        );
      }
      const env = ctx.probes.env;
      if ((env.PULUMI_CONFIG_PASSPHRASE ?? "") !== "") return ok("from PULUMI_CONFIG_PASSPHRASE");
      const envFile = env.PULUMI_CONFIG_PASSPHRASE_FILE;
      if (envFile) {
        if (await ctx.probes.exists(envFile)) return ok(`from PULUMI_CONFIG_PASSPHRASE_FILE (${envFile})`);
        return fail(
          `PULUMI_CONFIG_PASSPHRASE_FILE names ${envFile}, which does not exist`,
          `Point PULUMI_CONFIG_PASSPHRASE_FILE at the passphrase file, or unset it`,
        );
      }
      const settings = stateSettings(ctx, overrides);
      const mode = await ctx.probes.fileMode(settings.passphraseFile);
      if (mode !== undefined) {
        if ((mode & 0o077) !== 0) {
          return {
            ...warn(
              `${settings.passphraseFile} is readable by others (mode ${mode.toString(8).padStart(4, "0")})`,
              `chmod 600 ${settings.passphraseFile}`,
            ),
            critical: false,
          };
        }
        return ok(`${settings.passphraseFile} (mode 0600)`);
      }
      // No passphrase anywhere: fine for a new stack (one is generated), fatal for an existing one.
      const url = settings.backendUrl;
      if (url.startsWith("file://")) {
        const stackFile = path.join(
          fileBackendDir(url, ctx.probes.home),
          ".pulumi",
          "stacks",
          settings.project,
          `${ctx.plan.environment}.json`,
        );
        if (await ctx.probes.exists(stackFile)) {
          return fail(
            `stack ${ctx.plan.environment} exists (${stackFile}) but no passphrase is available to decrypt its secrets`,
            `export PULUMI_CONFIG_PASSPHRASE_FILE=<the file holding the passphrase this stack was created with>, or restore ${settings.passphraseFile}`,
          );
        }
      }
      return ok(`none yet: cto up generates one into ${settings.passphraseFile} (mode 0600)`);
    },
  };
}
