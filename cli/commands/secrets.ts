/**
 * `cto secrets set | list | rm`: credentials the platform needs (model-provider API keys, ...),
 * stored encrypted in the environment's stack. Values are read from a hidden prompt or stdin,
 * never from the command line. Work: cli/secrets/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, processIO, type OptionsOf } from "../context.js";

export function defineSet(secrets: Command) {
  return secrets
    .command("set")
    .description("store a secret; the value comes from a hidden prompt or stdin, never from the command line")
    .argument("<NAME>", "e.g. ANTHROPIC_API_KEY, or a platform secret such as github.apps.rex.webhook_secret")
    .addOption(fileFlag())
    .addOption(envFlag());
}

export function defineList(secrets: Command) {
  return secrets
    .command("list")
    .description("names of the stored secrets (never their values)")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

export function defineRm(secrets: Command) {
  return secrets
    .command("rm")
    .description("remove stored secrets (a trailing * matches a prefix, e.g. 'github.apps.rex.*')")
    .argument("<NAME...>")
    .addOption(fileFlag())
    .addOption(envFlag());
}

/** The options of `cto secrets set`, `list` and `rm`, typed from the flags declared above. */
export type SetOptions = OptionsOf<ReturnType<typeof defineSet>>;
export type ListOptions = OptionsOf<ReturnType<typeof defineList>>;
export type RmOptions = OptionsOf<ReturnType<typeof defineRm>>;

export function register(program: Command): void {
  const secrets = program
    .command("secrets")
    .description("store, list and remove credentials (encrypted in the environment's stack)");

  const set = defineSet(secrets);
  examples(set, ["printenv ANTHROPIC_API_KEY | cto secrets set ANTHROPIC_API_KEY --env dev"]);
  set.addHelpText(
    "after",
    "\nNames without a dot become keys of the agents' API-key Secret (cto-agent-api-keys); names with a\ndot are platform secrets (github.apps.rex.webhook_secret, registry.password, ...). One trailing newline\nof piped input is dropped.\n",
  );
  set.action(async (name, options) => {
    const { runSecretsSet } = await import("../secrets/run.js");
    process.exitCode = await runSecretsSet(name, options, processIO());
  });

  const list = defineList(secrets);
  examples(list, ["cto secrets list --env dev"]);
  list.action(async (options) => {
    const { runSecretsList } = await import("../secrets/run.js");
    process.exitCode = await runSecretsList(options, processIO());
  });

  const rm = defineRm(secrets);
  examples(rm, ["cto secrets rm ANTHROPIC_API_KEY --env dev"]);
  rm.action(async (names, options) => {
    const { runSecretsRm } = await import("../secrets/run.js");
    process.exitCode = await runSecretsRm(names, options, processIO());
  });
}
