/**
 * The plan and its secrets as stack configuration (keys in `program-config.ts`):
 * `cto:plan` (plain JSON: a plan never holds secret values), `cto:secrets` (the plan's secrets as
 * one **secret** value, encrypted by the stack's secrets provider) and `cto:runtime` (plain).
 *
 * Why secrets are not written with `stack.setConfig`: the Automation API passes config values as
 * process arguments (`pulumi config set KEY --secret -- VALUE`), which every local user can read
 * in `ps`. The CLI reads the value from stdin when none is given and stdin is not a terminal, so
 * the value is piped in instead. Values are only rewritten when they changed (the plain ones are
 * compared as stored; the secret one by a digest keyed with the passphrase, see `secretsDigest`), which keeps a no-op
 * `cto up`/`cto preview` free of extra engine calls.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { CONFIG_KEYS, type ProgramRuntime } from "./program-config.js";

/** Plain config key holding a digest of the secrets last written (never the values). */
export const SECRETS_DIGEST_KEY = "cto:secretsDigest";

/** What a stack's config file holds, as far as cto is concerned. */
export interface StackConfigFile {
  encryptionsalt?: string;
  config?: Record<string, unknown>;
}

/** The minimum of an opened stack this module needs. */
export interface ConfigTarget {
  name: string;
  workDir: string;
  /** Path of the `pulumi` executable. */
  cliPath: string;
  /** The engine's environment additions (backend, passphrase, PATH). */
  engineEnv: Record<string, string>;
  /** Key for the secrets digest (the passphrase); undefined: always rewrite the secrets. */
  digestKey?: string;
  /** Plain values are written through this (the Automation API's `setAllConfig`). */
  setAllConfig(config: Record<string, { value: string; secret?: boolean }>): Promise<void>;
}

/** The stack's config file in the workspace (`{}` when there is none yet). */
export async function readStackConfigFile(target: Pick<ConfigTarget, "workDir" | "name">): Promise<StackConfigFile> {
  try {
    const text = await readFile(path.join(target.workDir, `Pulumi.${target.name}.yaml`), "utf8");
    return (parse(text) as StackConfigFile | null) ?? {};
  } catch {
    return {};
  }
}

/**
 * A digest of the secrets keyed by the stack's passphrase and salt: it tells whether the secrets
 * changed, and, like the ciphertext next to it, cannot be checked against guessed values without
 * the passphrase. Without a passphrase (KMS providers) no digest is kept and secrets are always
 * rewritten.
 */
export function secretsDigest(secrets: PlanSecrets, key: string, salt: string): string {
  const canonical = JSON.stringify(
    Object.keys(secrets)
      .sort()
      .map((k) => [k, secrets[k]]),
  );
  return createHmac("sha256", `cto-secrets\0${key}\0${salt}`).update(canonical).digest("hex");
}

/**
 * Write `cto:plan`, `cto:runtime` and (encrypted) `cto:secrets` where they differ from what is stored.
 * `extra` gets the config as it will be (plain values as strings, secrets as `{secure}`) and returns
 * more plain values (`cto:update`), written in the same CLI call.
 */
export async function writePlanConfig(
  target: ConfigTarget,
  plan: Plan,
  secrets: PlanSecrets,
  runtime: ProgramRuntime = {},
  extra?: (config: Record<string, unknown>) => Record<string, string>,
): Promise<{ wrotePlain: boolean; wroteSecrets: boolean }> {
  const before = await readStackConfigFile(target);
  const stored = before.config ?? {};
  const plain: Record<string, { value: string }> = {};
  const planJson = JSON.stringify(plan);
  const runtimeJson = JSON.stringify(runtime);
  if (stored[CONFIG_KEYS.plan] !== planJson) plain[CONFIG_KEYS.plan] = { value: planJson };
  if (stored[CONFIG_KEYS.runtime] !== runtimeJson) plain[CONFIG_KEYS.runtime] = { value: runtimeJson };

  let wroteSecrets = false;
  const hasStored = stored[CONFIG_KEYS.secrets] !== undefined;
  const key = target.digestKey;
  const digestNow =
    key !== undefined && before.encryptionsalt ? secretsDigest(secrets, key, before.encryptionsalt) : undefined;
  if (!hasStored || digestNow === undefined || stored[SECRETS_DIGEST_KEY] !== digestNow) {
    await setSecretConfigFromStdin(target, CONFIG_KEYS.secrets, JSON.stringify(secrets));
    wroteSecrets = true;
    // The salt exists now (the first secret creates it).
    const salt = (await readStackConfigFile(target)).encryptionsalt;
    if (salt && key !== undefined) plain[SECRETS_DIGEST_KEY] = { value: secretsDigest(secrets, key, salt) };
  }
  if (extra) {
    const after: Record<string, unknown> = { ...stored };
    for (const [k, v] of Object.entries(plain)) after[k] = v.value;
    for (const [k, value] of Object.entries(extra(after))) if (stored[k] !== value) plain[k] = { value };
  }
  if (Object.keys(plain).length > 0) await target.setAllConfig(plain);
  return { wrotePlain: Object.keys(plain).length > 0, wroteSecrets };
}

/**
 * `pulumi config set KEY --secret --raw` with the value on stdin (never in argv: the Automation
 * API's setConfig passes values as arguments). `--raw` stores the value byte for byte.
 */
export function setSecretConfigFromStdin(
  target: Pick<ConfigTarget, "name" | "workDir" | "cliPath" | "engineEnv">,
  key: string,
  value: string,
): Promise<void> {
  const args = ["config", "set", key, "--secret", "--raw", "--stack", target.name, "--non-interactive"];
  return new Promise((resolve, reject) => {
    const child = spawn(target.cliPath, args, {
      cwd: target.workDir,
      env: {
        ...process.env,
        ...target.engineEnv,
        PULUMI_AUTOMATION_API: "true",
      },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`pulumi config set ${key} --secret failed (exit ${code}): ${err.trim()}`));
    });
    child.stdin.end(value);
  });
}
