/**
 * `cto init`: the wizard that writes a commented cto.yaml (at most 10 prompts; every prompt has a
 * flag). The work is in cli/init/; this file declares the options and loads that code on use.
 */
import type { Command } from "@commander-js/extra-typings";
import { canPrompt, examples, fileFlag, processIO, yesFlag, type OptionsOf } from "../context.js";

export function define(program: Command) {
  return program
    .command("init")
    .description("write a commented cto.yaml: a wizard (at most 10 prompts), or flags with --yes")
    .option("--org <ORG>", "GitHub organisation (or user) the agents work in")
    .option("--repo <REPO>", "repository the platform starts with (name only, no owner)")
    .option("--name <NAME>", "platform name: a DNS label, also the Pulumi project name (default: ORG-platform)")
    .option("--profile <PROFILE>", "installation profile: minimal, standard or production (default: minimal)")
    .option("--provider <PROVIDER>", "cluster: kind, k3s, minikube, existing or simulated (default: kind)")
    .option("--domain <DOMAIN>", "public domain for ingress hosts and the GitHub webhook; '' for none (default)")
    .option(
      "--tunnel-url <URL>",
      "no domain, local cluster: the tunnel's public URL for GitHub webhooks (Cloudflare Tunnel hostname, ngrok domain)",
    )
    .option("--tunnel <PROVIDER>", "tunnel relay: cloudflare, ngrok, smee or none (default: from --tunnel-url)")
    .option("--registry <TYPE>", "registry: local, ghcr, ecr, gcr, acr, dockerhub or generic (default: local)")
    .option("--registry-url <HOST>", "registry host without scheme (ghcr.io, docker.io and gcr.io are defaults)")
    .option("--agents <LIST>", "comma-separated agents (default by profile: rex; rex,cleo,tess; …)")
    .option("--features <LIST>", "exactly these features on, the rest off (default: the profile decides)")
    .option("--force", "replace an existing cto.yaml without asking")
    .addOption(fileFlag())
    .addOption(yesFlag("take defaults for every answer not given by a flag; never prompt"));
}

/** `cto init`'s options, typed from the flags declared above (its run function takes them). */
export type InitCommandOptions = OptionsOf<ReturnType<typeof define>>;

export function register(program: Command): void {
  const cmd = define(program);
  examples(cmd, [
    "cto init --yes --org acme --repo platform",
    "cto init --yes --profile standard --org acme --repo platform --name acme-dev --provider kind --domain agents.acme.example",
    "cto init --yes --org acme --repo platform --registry ghcr --agents rex,cleo -f staging.yaml --force",
    "cto init --yes --org acme --repo platform --provider kind --tunnel-url https://hooks.acme.example",
  ]);
  cmd.addHelpText(
    "after",
    "\nInside a git checkout whose remote is on GitHub, --org and --repo default to that repository.\nWithout a terminal or with CI=true, init never prompts: it takes defaults and names the flags it still needs.\nCtrl-C exits 0 with 'Operation cancelled.' and writes nothing.\n",
  );
  cmd.action(async (options) => {
    const { runInit } = await import("../init/run.js");
    const { initChoices, validateWritten } = await import("../init/catalog.js");
    const { clackPrompter } = await import("../init/clack.js");
    const { gitHubRemote } = await import("../init/git-remote.js");
    const clack = await import("@clack/prompts");
    const choices = { ...(await initChoices()), gitRemote: gitHubRemote(process.cwd()) };
    process.exitCode = await runInit(options, {
      ...processIO(),
      terminal: canPrompt(),
      choices,
      prompter: () => clackPrompter(choices),
      ui: { intro: clack.intro, note: clack.note, outro: clack.outro, cancel: clack.cancel },
      validate: validateWritten,
    });
  });
}
