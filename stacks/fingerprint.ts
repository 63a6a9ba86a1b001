/**
 * The fingerprint of everything a `cto up` feeds the engine: the resolved plan, the program's
 * version (cto's version, and hashes of the templates and of the program code that ships with
 * it), the chart and image pins, the stack config and the cluster's host-side inputs. It is
 * recorded with each update (`cto:update` in the backend's history, see `shared-history.ts`);
 * when the next `cto up` computes the same value against a state nothing else touched since, the
 * engine has nothing to do and is not started (`lifecycle/fast-path.ts`).
 *
 * Left out of the config: `cto:update` and `cto:historyImport` (cto's records, not program
 * inputs), `cto:random` (values the program generates and saves after the run: an output of the
 * update it was recorded with) and `cto:secrets` (ciphertext differs on every write; its keyed
 * digest `cto:secretsDigest` stands for the values).
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../config/paths.js";
import type { Plan } from "../profiles/plan.js";
import { planVersions } from "./history.js";
import { CONFIG_KEYS } from "./program-config.js";
import { HISTORY_IMPORT_KEY, UPDATE_CONFIG_KEY } from "./shared-history.js";

/** Config keys that are no input of the program (see the file comment). */
export const FINGERPRINT_EXCLUDED_KEYS: readonly string[] = [
  UPDATE_CONFIG_KEY,
  HISTORY_IMPORT_KEY,
  CONFIG_KEYS.random,
  CONFIG_KEYS.secrets,
];

export interface FingerprintInputs {
  plan: Plan;
  /** cto's version. */
  ctoVersion: string;
  /** `programCodeHash()`: templates and program code. */
  programHash: string;
  /** The stack config the update runs with (as stored: plain strings, secrets as `{secure}`). */
  config: Record<string, unknown>;
  /** The cluster's host-side inputs (kubeconfig, SSH keys, simulated cluster paths). */
  cluster: unknown;
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** `sha256:<hex>` of the inputs. */
export function fingerprint(inputs: FingerprintInputs): string {
  const config = Object.fromEntries(
    Object.entries(inputs.config).filter(([k]) => !FINGERPRINT_EXCLUDED_KEYS.includes(k)),
  );
  const doc = {
    v: 1,
    ctoVersion: inputs.ctoVersion,
    programHash: inputs.programHash,
    plan: inputs.plan,
    pins: { charts: planVersions(inputs.plan), images: inputs.plan.images },
    config,
    cluster: inputs.cluster,
  };
  return `sha256:${createHash("sha256").update(canonicalJson(doc)).digest("hex")}`;
}

/** sha256 over every file under the paths (files or directories: names and contents), in name order. */
export async function hashTree(paths: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const dir of paths) {
    const names = (await readdir(dir, { recursive: true }).catch(() => [""])).sort();
    for (const name of names) {
      const file = name === "" ? dir : path.join(dir, name);
      const bytes = await readFile(file).catch(() => undefined); // directories read as undefined
      if (!bytes) continue;
      hash.update(`${path.basename(dir)}/${name}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  }
  return hash.digest("hex");
}

let cachedProgramHash: string | undefined;

/**
 * Hash of what the program is made of besides cto's version: the templates and the compiled
 * components and program (a development build changes them without changing the version).
 */
export async function programCodeHash(): Promise<string> {
  if (cachedProgramHash) return cachedProgramHash;
  const here = path.dirname(fileURLToPath(import.meta.url)); // …/stacks in the build
  cachedProgramHash = await hashTree([
    path.join(packageRoot(), "templates"),
    path.join(here, "..", "components"),
    path.join(here, "program.js"),
  ]);
  return cachedProgramHash;
}
