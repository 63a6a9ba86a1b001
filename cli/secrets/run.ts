/**
 * The work behind `cto secrets set | list | rm` (cli/commands/secrets.ts). The environment's stack
 * is found from cto.yaml (project = platform name, stack = environment, state backend).
 */
import { UserError } from "../../config/errors.js";
import type { Plan } from "../../profiles/plan.js";
import { checkSecretName, openSecretsStore, secretKind, type SecretsStore } from "../../stacks/secrets-store.js";
import { canPrompt, type CommandIO } from "../context.js";
import { loadPlan, type LoadedPlan } from "../plan.js";
import type { ListOptions, RmOptions, SetOptions } from "../commands/secrets.js";

interface StoreOptions {
  file?: string;
  env?: string;
}

/** The secrets store of a plan's environment (opening creates the stack when it is new). */
export function openStoreFor(loaded: Pick<LoadedPlan, "plan" | "context">): Promise<SecretsStore> {
  return openSecretsStore(loaded.plan, { context: loaded.context });
}

/** The plan the options name, and its environment's secrets store. */
export async function storeForOptions(
  options: StoreOptions,
  io: Pick<CommandIO, "cwd" | "env">,
): Promise<{ plan: Plan; store: SecretsStore; planSecrets: Record<string, string> }> {
  const loaded = await loadPlan({ file: options.file, env: options.env }, io);
  return { plan: loaded.plan, store: await openStoreFor(loaded), planSecrets: loaded.secrets };
}

/** `cto secrets set NAME`. */
export async function runSecretsSet(name: string, options: SetOptions, io: CommandIO): Promise<number> {
  checkSecretName(name);
  const value = await readSecretValue(name, io);
  if (value === undefined) {
    io.print("Operation cancelled.");
    return 0;
  }
  const { store } = await storeForOptions(options, io);
  await store.set(name, value);
  const kind = secretKind(name) === "agent-api-key" ? "agent API key" : "platform secret";
  io.print(`stored ${name} (${kind}) encrypted in stack ${store.environment}`);
  return 0;
}

/** `cto secrets list`: names only. */
export async function runSecretsList(options: ListOptions, io: CommandIO): Promise<number> {
  const { store } = await storeForOptions(options, io);
  const names = await store.list();
  if (options.json) {
    io.print(
      JSON.stringify(
        names.map((name) => ({ name, kind: secretKind(name) })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (names.length === 0) io.print(`no secrets stored in stack ${store.environment}`);
  for (const name of names) io.print(`${name}${secretKind(name) === "agent-api-key" ? "  (agent API key)" : ""}`);
  return 0;
}

/** `cto secrets rm NAME...`: a trailing `*` removes every name with that prefix. */
export async function runSecretsRm(names: string[], options: RmOptions, io: CommandIO): Promise<number> {
  for (const n of names) checkSecretName(n.endsWith("*") ? `${n.slice(0, -1)}x` : n);
  const { store } = await storeForOptions(options, io);
  const stored = await store.list();
  const targets = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of names) {
    const matches = pattern.endsWith("*")
      ? stored.filter((s) => s.startsWith(pattern.slice(0, -1)))
      : stored.filter((s) => s === pattern);
    if (matches.length === 0) unmatched.push(pattern);
    matches.forEach((m) => targets.add(m));
  }
  if (unmatched.length > 0) {
    throw new UserError(
      `no stored secret matches ${unmatched.join(", ")} in stack ${store.environment}; nothing removed`,
      {
        hint: `see the names with: cto secrets list --env ${store.environment}`,
      },
    );
  }
  for (const name of targets) await store.remove(name);
  io.print(`removed ${[...targets].sort().join(", ")} from stack ${store.environment}`);
  return 0;
}

/**
 * The value: from a hidden prompt on a terminal, else all of stdin (one trailing newline dropped).
 * Never from argv. Undefined when the user cancels the prompt.
 */
async function readSecretValue(name: string, io: Pick<CommandIO, "env">): Promise<string | undefined> {
  let value: string;
  if (process.stdin.isTTY) {
    if (!canPrompt(io.env)) {
      throw new UserError(`no value for ${name}: stdin is a terminal but prompting is off (CI)`, {
        hint: `pipe it in: printenv ${name} | cto secrets set ${name}`,
      });
    }
    const { password, isCancel } = await import("@clack/prompts");
    const answer = await password({ message: `Value of ${name} (hidden)`, mask: "•" });
    if (isCancel(answer)) return undefined;
    value = answer ?? "";
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    value = Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  if (value === "") {
    throw new UserError(`no value given for ${name}; nothing stored`, {
      hint: `type it at the prompt, or pipe it in: printenv ${name} | cto secrets set ${name}`,
    });
  }
  return value;
}
