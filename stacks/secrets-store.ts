/**
 * Named credentials kept as ENCRYPTED secret config of an environment's Pulumi stack.
 *
 * All credentials of an environment live in ONE secret config value, `cto:credentials`: a JSON
 * object from secret name to value (`github.apps.rex.private_key`, `github.apps.rex.webhook_secret`,
 * `ANTHROPIC_API_KEY`, ...), encrypted by the stack's secrets provider (a passphrase by default),
 * so `Pulumi.<env>.yaml` only ever holds `secure: v1:…` ciphertext. `set` and `remove` read,
 * change and write back that object. (Why not `cto:secrets`: see `CREDENTIALS_CONFIG_KEY`.)
 *
 * Why values are written through stdin: the Automation API's `setConfig`/`setAllConfig` run
 * `pulumi config set KEY --secret -- VALUE` / `config set-all --secret KEY=VALUE` (and
 * `setAllConfigJson` passes `--json TEXT`), i.e. the value is a process argument, visible to every
 * user of the machine in `ps` and /proc/<pid>/cmdline. The Pulumi CLI also reads the value from
 * standard input when none is given and stdin is not a terminal (`--raw` keeps it byte for byte;
 * pkg/cmd/pulumi/config/config.go in 3.276.0), so writes start that same CLI with the workspace's
 * directory and environment and pipe the value in (`setSecretConfigFromStdin`). The store reads through
 * the Automation API (`getAllConfig`): values come back on stdout, never in argv. The program reads
 * them from the decrypted config the engine hands it (`programSecrets`), which costs no CLI process.
 *
 * `openSecretsStore` opens the same stack `cto up` does (stacks/workspace.ts: project
 * `plan.platform.name`, work directory `<ctoHome>/workspaces/<project>-<hash>`, backend, passphrase);
 * `stackSecretsStore` works on any opened stack.
 */
import { UserError } from "../config/errors.js";
import { withStoredMailPassword } from "../profiles/mail.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { CONFIG_KEYS } from "./program-config.js";
import { setSecretConfigFromStdin } from "./secrets-config.js";
import type { RunContext } from "./run-context.js";

/** Where named credentials are kept. */
export interface SecretsStore {
  /** The environment (= stack) name. */
  readonly environment: string;
  get(name: string): Promise<string | undefined>;
  /** Several values at once; names that are not stored are absent from the result. */
  getMany(names: string[]): Promise<Record<string, string>>;
  set(name: string, value: string): Promise<void>;
  setMany(values: Record<string, string>): Promise<void>;
  /** Names only, sorted. */
  list(): Promise<string[]>;
  /** True when something was removed. */
  remove(name: string): Promise<boolean>;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/;

/** Throws a `UserError` unless `name` can be a secret name. */
export function checkSecretName(name: string): void {
  if (!NAME_RE.test(name) || name.endsWith(".") || name.includes("..")) {
    throw new UserError(`"${name}" is not a valid secret name`, {
      hint: "use letters, digits, '_', '.' and '-', starting with a letter or '_' (e.g. ANTHROPIC_API_KEY or registry.password)",
    });
  }
}

/**
 * Secret names cto itself manages, and which Kubernetes Secret key each feeds: names with a dot
 * are platform secrets named in templates/platform/secrets.yaml.hbs (`github.apps.rex.webhook_secret`,
 * `github.apps.<agent>.private_key`, `registry.password`, ...); names without a dot (such as
 * `ANTHROPIC_API_KEY`) are agent API keys, delivered as keys of the `agent-api-keys` Secret.
 */
export function secretKind(name: string): "platform" | "agent-api-key" {
  return name.includes(".") ? "platform" : "agent-api-key";
}

/**
 * `cto:credentials`: the credentials stored by `cto secrets set` and `cto github apps create`, as
 * one **secret** JSON object (name → value). Kept apart from `cto:secrets` (the plan's secrets from
 * cto.yaml, rewritten by the lifecycle on every `cto up`), so a run never erases a GitHub App key
 * that cannot be downloaded again. The program's secrets are `{ ...credentials, ...planSecrets }`.
 */
export const CREDENTIALS_CONFIG_KEY = CONFIG_KEYS.credentials;

/** What the store needs of an opened stack; `CtoStack` from `workspace.ts` has all of it. */
export interface StackHandle {
  name: string;
  workDir: string;
  /** Environment additions for the Pulumi CLI (backend, passphrase, PATH). */
  engineEnv: Record<string, string>;
  cli: { path: string };
  workspace: { getAllConfig(stackName: string): Promise<Record<string, { value: string; secret?: boolean }>> };
}

/** The credentials stored in a stack (empty when none). */
export async function readStoredCredentials(stack: StackHandle): Promise<Record<string, string>> {
  const stored = (await stack.workspace.getAllConfig(stack.name))[CREDENTIALS_CONFIG_KEY];
  return parseStoredCredentials(stored?.value, stack.name, stack.workDir);
}

/** The stored `cto:credentials` value (plaintext JSON) as a name → value object; empty when unset. */
export function parseStoredCredentials(
  value: string | undefined,
  stackName: string,
  workDir?: string,
): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`stack ${stackName}: config ${CREDENTIALS_CONFIG_KEY} is not a JSON object of credentials`, {
      hint: `inspect it with: pulumi config get ${CREDENTIALS_CONFIG_KEY} --stack ${stackName}${workDir ? ` (in ${workDir})` : ""}`,
      exitCode: 1,
    });
  }
  return parsed as Record<string, string>;
}

/** The Kubernetes Secret purpose whose keys are the agents' API keys (templates/platform/secrets.yaml.hbs). */
export const AGENT_API_KEYS_PURPOSE = "agent-api-keys";

/**
 * Stored credentials under the names the infrastructure program reads: platform secrets (names
 * with a dot) as they are; agent API keys (`ANTHROPIC_API_KEY`) as `agent-api-keys.ANTHROPIC_API_KEY`,
 * which the open-keyed `agent-api-keys` Secret collects.
 */
export function credentialsAsPlanSecrets(stored: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stored).map(([name, value]) => [
      secretKind(name) === "agent-api-key" ? `${AGENT_API_KEYS_PURPOSE}.${name}` : name,
      value,
    ]),
  );
}

/**
 * The secrets a run of the program gets: the stored credentials, overlaid with the plan's own
 * secrets (cto.yaml and its `${VAR}`s win over what `cto secrets set` stored). Called inside the
 * program with `cto:credentials` as the engine passed it (decrypted), by the lifecycle's inline
 * program and by `pulumi-main.ts` alike.
 */
export function programSecrets(
  storedCredentials: string | undefined,
  planSecrets: Record<string, string>,
  stackName: string,
): Record<string, string> {
  return { ...credentialsAsPlanSecrets(parseStoredCredentials(storedCredentials, stackName)), ...planSecrets };
}

/**
 * What a run of the program builds: the secrets of `programSecrets`, and the plan with the stored
 * ones it depends on counted (a mail password stored with `cto secrets set mail.smtp_password`
 * feeds the cto-smtp Secret). Both program entries (the lifecycle's inline program and
 * `pulumi-main.ts`) build from this.
 */
export function programInputs(
  storedCredentials: string | undefined,
  plan: Plan,
  planSecrets: PlanSecrets,
  stackName: string,
): { plan: Plan; secrets: PlanSecrets } {
  const secrets = programSecrets(storedCredentials, planSecrets, stackName);
  return { plan: withStoredMailPassword(plan, secrets), secrets };
}

/** The secrets store of an opened stack. */
export function stackSecretsStore(stack: StackHandle): SecretsStore {
  // One read per store: every Pulumi CLI call costs a process start (about a second on a busy
  // machine), and nothing but this store writes the key while a command runs.
  let cached: Record<string, string> | undefined;
  const readAll = async (): Promise<Record<string, string>> => ({
    ...(cached ??= await readStoredCredentials(stack)),
  });
  const writeAll = async (secrets: Record<string, string>): Promise<void> => {
    cached = undefined;
    await setSecretConfigFromStdin(
      { name: stack.name, workDir: stack.workDir, cliPath: stack.cli.path, engineEnv: stack.engineEnv },
      CREDENTIALS_CONFIG_KEY,
      JSON.stringify(sortKeys(secrets)),
    );
    cached = { ...secrets };
  };
  return {
    environment: stack.name,
    async get(name) {
      checkSecretName(name);
      return (await readAll())[name];
    },
    async getMany(names) {
      names.forEach(checkSecretName);
      const all = await readAll();
      return Object.fromEntries(names.filter((n) => all[n] !== undefined).map((n) => [n, all[n] as string]));
    },
    async set(name, value) {
      checkSecretName(name);
      await writeAll({ ...(await readAll()), [name]: value });
    },
    async setMany(values) {
      Object.keys(values).forEach(checkSecretName);
      await writeAll({ ...(await readAll()), ...values });
    },
    async list() {
      return Object.keys(await readAll()).sort();
    },
    async remove(name) {
      checkSecretName(name);
      const all = await readAll();
      if (!(name in all)) return false;
      delete all[name];
      await writeAll(all);
      return true;
    },
  };
}

export interface OpenStoreOptions {
  /** The run's context (`run-context.ts`); default: built from `env` and `home`. */
  context?: RunContext;
  /** cto's home (default `$CTO_HOME` or ~/.cto). */
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Create the stack when it is new (default true); false: fail when there is none. */
  create?: boolean;
}

/**
 * Opens (creating when needed) the environment's stack through `openStack` — the same project,
 * backend, work directory, passphrase and Pulumi CLI as `cto up` — and returns its secrets store.
 * No program runs: the stack is only used for its config.
 */
export async function openSecretsStore(plan: Plan, options: OpenStoreOptions = {}): Promise<SecretsStore> {
  const { openStack } = await import("./workspace.js");
  const { context, env, home } = options;
  const stack = await openStack(plan, {}, { context, env, home, create: options.create ?? true });
  return stackSecretsStore(stack);
}

/**
 * One stored credential of an existing stack, or undefined when there is no stack yet or nothing
 * under that name (the stack is never created: reading is not a reason to make one).
 */
export async function readStoredSecret(
  plan: Plan,
  name: string,
  options: OpenStoreOptions = {},
): Promise<string | undefined> {
  const store = await openSecretsStore(plan, { ...options, create: false }).catch(() => undefined);
  return store?.get(name);
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
