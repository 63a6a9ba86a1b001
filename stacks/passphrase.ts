/**
 * The passphrase that encrypts a stack's secrets (passphrase secrets provider).
 *
 * Order: `PULUMI_CONFIG_PASSPHRASE` (used as given), `PULUMI_CONFIG_PASSPHRASE_FILE`, else the file
 * `<ctoHome>/passphrase`, generated on first use (32 random bytes, base64url) with mode 0600.
 * The engine always receives it through its environment, as `PULUMI_CONFIG_PASSPHRASE_FILE`
 * where possible so the value is not even in the child's environment; never on a command line.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../config/errors.js";

export const PASSPHRASE_FILE_NAME = "passphrase";

export interface PassphraseSource {
  /** Environment variables to hand to the engine (one of the two PULUMI_CONFIG_PASSPHRASE* names). */
  env: Record<string, string>;
  /** Where it came from, for messages (never the value). */
  description: string;
  /** The file holding it, when there is one. */
  file?: string;
  /** True when this call generated a new passphrase file. */
  generated: boolean;
}

export interface PassphraseOptions {
  env?: NodeJS.ProcessEnv;
  /** The generated passphrase's file (`RunContext.passphraseFile`: `<ctoHome>/passphrase`). */
  file: string;
  /** Generate the default file when nothing is set (true for commands that create stacks). */
  create?: boolean;
}

/** Resolve (and on first use create) the passphrase for the engine. */
export async function resolvePassphrase(options: PassphraseOptions): Promise<PassphraseSource> {
  const env = options.env ?? process.env;
  if ((env.PULUMI_CONFIG_PASSPHRASE ?? "") !== "") {
    return {
      env: { PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE as string },
      description: "PULUMI_CONFIG_PASSPHRASE",
      generated: false,
    };
  }
  const fromEnv = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (fromEnv) {
    const file = path.resolve(fromEnv);
    try {
      await stat(file);
    } catch {
      throw new UserError(`PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which does not exist`, {
        hint: "point PULUMI_CONFIG_PASSPHRASE_FILE at the file holding the stack's passphrase, or unset it",
      });
    }
    return {
      env: { PULUMI_CONFIG_PASSPHRASE_FILE: file },
      description: `PULUMI_CONFIG_PASSPHRASE_FILE (${file})`,
      file,
      generated: false,
    };
  }
  const file = options.file;
  let generated = false;
  try {
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) await chmod(file, 0o600);
  } catch {
    if (options.create === false) {
      throw new UserError(`no passphrase: ${file} does not exist and PULUMI_CONFIG_PASSPHRASE[_FILE] is not set`, {
        hint: `restore ${file}, or export PULUMI_CONFIG_PASSPHRASE_FILE=<file with the stack's passphrase>`,
      });
    }
    generated = await writeNewPassphrase(file);
  }
  const value = (await readFile(file, "utf8")).trim();
  if (value === "") {
    throw new UserError(`${file} is empty`, { hint: `restore the passphrase into ${file} (mode 0600)` });
  }
  return {
    env: { PULUMI_CONFIG_PASSPHRASE_FILE: file },
    description: generated ? `${file} (generated now, mode 0600)` : file,
    file,
    generated,
  };
}

/** Writes a new random passphrase with mode 0600; false when another process got there first. */
async function writeNewPassphrase(file: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let handle;
  try {
    handle = await open(file, "wx", 0o600); // exclusive: never overwrite a passphrase
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    await handle.writeFile(`${randomBytes(32).toString("base64url")}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** The passphrase itself, for keyed digests only (never printed, logged or passed on). */
export async function passphraseValue(source: PassphraseSource): Promise<string> {
  if (source.env.PULUMI_CONFIG_PASSPHRASE !== undefined) return source.env.PULUMI_CONFIG_PASSPHRASE;
  return (await readFile(source.file as string, "utf8")).trim();
}
