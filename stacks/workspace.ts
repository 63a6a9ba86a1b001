/**
 * One Pulumi stack per environment, opened through the Automation API.
 *
 * - Project: named after `plan.platform.name`; stack: `plan.environment`.
 * - Program: an inline function running `buildPlatform(plan, secrets)` (stacks/program.ts) in this
 *   process; `lifecycle/prepare-program.ts` builds it after writing the stack config and passes it per operation.
 * - State: `backend.ts`; secrets: `passphrase.ts` (or the plan's KMS URL); CLI: `pulumi-cli.ts`.
 * - Work directory: `<ctoHome>/workspaces/<project>-<backend hash>/` keeps `Pulumi.yaml` and
 *   `Pulumi.<stack>.yaml` (stack config, secrets encrypted, plus the passphrase salt) between runs.
 *   `Pulumi.yaml`'s `main` is cto's built `stacks/pulumi-main.js`, which reads the plan from that
 *   stack config, so the plain Pulumi CLI runs the same program there (`cto pulumi`).
 *
 * Plugins: the engine looks for `pulumi-resource-<name>` on PATH first. The Automation API puts the
 * CLI's own directory first on the engine's PATH; after it we add the offline toolchain's bin (the
 * kubernetes provider built there) and `@pulumi/pulumi`'s package directory (its
 * `pulumi-resource-pulumi-nodejs` shim serves dynamic providers), and set NODE_PATH so that shim
 * resolves `@pulumi/pulumi` from cto's own node_modules wherever the work directory is.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  LocalWorkspace,
  ProjectSettings,
  PulumiCommand,
  PulumiFn,
  Stack,
} from "@pulumi/pulumi/automation/index.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { engineBackendUrl, prepareBackend, type Backend } from "./backend.js";
import { engineTempDir } from "./engine-tmp.js";
import { resolvePassphrase, type PassphraseSource } from "./passphrase.js";
import type { PulumiCli } from "./pulumi-cli.js";
import { contextFor, type RunContext } from "./run-context.js";

export interface OpenStackOptions {
  /** The run's context (`run-context.ts`); default: built from `env`, `home` and `cli`. */
  context?: RunContext;
  env?: NodeJS.ProcessEnv;
  /** `cto`'s home; default `ctoHome(env)`. */
  home?: string;
  /**
   * A program for the workspace. The lifecycle passes its program per operation instead (it
   * writes the stack config first), so this is usually left out.
   */
  program?: PulumiFn;
  /** A CLI already found (saves a `pulumi version`). */
  cli?: PulumiCli;
  /** Create the stack when missing (true for up/preview); false selects only (status, history, destroy). */
  create?: boolean;
}

/** An opened stack and everything about how it was opened. */
export interface CtoStack {
  stack: Stack;
  workspace: LocalWorkspace;
  project: string;
  name: string;
  backend: Backend;
  cli: PulumiCli;
  /** Undefined for a KMS secrets provider. */
  passphrase?: PassphraseSource;
  /** Environment the engine runs with (contains no secret value unless PULUMI_CONFIG_PASSPHRASE was set). */
  engineEnv: Record<string, string>;
  workDir: string;
  home: string;
  /** The run's context the stack was opened with (`run-context.ts`). */
  context: RunContext;
}

/** `@pulumi/pulumi`'s package directory and the node_modules holding it. */
function pulumiPackageDirs(): { packageDir: string; nodeModules: string } {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return { packageDir, nodeModules: path.dirname(path.dirname(packageDir)) };
}

/** The environment variables the engine gets (beyond the process's own). */
export function engineEnvironment(opts: {
  context: Pick<RunContext, "env" | "home" | "toolchainBin" | "backend">;
  passphrase?: PassphraseSource;
  /** TMPDIR for the engine and its plugins (see engine-tmp.ts); default: inherited. */
  tempDir?: string;
}): Record<string, string> {
  const { env, home, toolchainBin, backend } = opts.context;
  const { packageDir, nodeModules } = pulumiPackageDirs();
  // Tools cto installed (kind, minikube, the kubernetes plugin) come first for the engine and the
  // commands its providers run.
  const ctoBin = path.join(home, "bin");
  const pathParts = [ctoBin, toolchainBin, packageDir, env.PATH].filter((p): p is string => Boolean(p));
  const nodePath = [nodeModules, env.NODE_PATH].filter((p): p is string => Boolean(p));
  return {
    PULUMI_BACKEND_URL: engineBackendUrl(backend),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // The engine never downloads a plugin itself (it would take whatever version it resolves,
    // unchecked): plugins come from `cto doctor --fix` (pinned, SHA-256 checked) or the offline
    // toolchain, and a missing one fails the run with cto's own error (engine-errors.ts).
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PATH: pathParts.join(path.delimiter),
    NODE_PATH: nodePath.join(path.delimiter),
    ...(opts.passphrase?.env ?? {}),
    ...(opts.tempDir ? { TMPDIR: opts.tempDir } : {}),
  };
}

type Automation = typeof import("@pulumi/pulumi/automation/index.js");

/**
 * The Automation API's handle on the CLI, built from what `findPulumiCli` already checked.
 * `PulumiCommand.get` would run `pulumi version` once more (0.5 s of CPU per command here); its
 * constructor takes the same two values.
 */
function pulumiCommandFor(auto: Automation, cli: PulumiCli): PulumiCommand {
  const semver = createRequire(require_resolve("@pulumi/pulumi/package.json"))("semver") as {
    parse(v: string): unknown;
  };
  const Ctor = auto.PulumiCommand as unknown as new (command: string, version: unknown) => PulumiCommand;
  return new Ctor(path.join(cli.root, "bin", "pulumi"), semver.parse(cli.version));
}

function require_resolve(id: string): string {
  return createRequire(import.meta.url).resolve(id);
}

/** For a file backend, whether the stack exists (its checkpoint file); undefined: cannot tell cheaply. */
async function stackExists(backend: Backend, project: string, stack: string): Promise<boolean> {
  if (!backend.dir) return false;
  return access(path.join(backend.dir, ".pulumi", "stacks", project, `${stack}.json`)).then(
    () => true,
    () => false,
  );
}

/**
 * A `Stack` for a stack known to exist, without `pulumi stack select` (another process start):
 * every Stack operation passes `--stack <name>` itself, so selecting adds nothing.
 */
function existingStack(auto: Automation, name: string, workspace: LocalWorkspace): Stack {
  const stack = Object.create(auto.Stack.prototype) as Stack & { ready: Promise<void> };
  Object.assign(stack, { name, workspace, ready: Promise.resolve() });
  return stack;
}

/** `<home>/workspaces/<project>-<hash of the backend URL>`: one per project and backend. */
export function workDirFor(home: string, project: string, backend: Backend): string {
  return path.join(
    home,
    "workspaces",
    `${project}-${createHash("sha256").update(backend.url).digest("hex").slice(0, 8)}`,
  );
}

/**
 * The program the plain Pulumi CLI runs in a workspace: cto's built `stacks/pulumi-main.js` (next
 * to this module), when it is a file on disk (a standalone build bundles it instead: undefined).
 */
export function programMainFile(): string | undefined {
  const file = fileURLToPath(new URL("./pulumi-main.js", import.meta.url));
  return existsSync(file) ? file : undefined;
}

/**
 * The workspace's `Pulumi.yaml`. Its `main` lets `pulumi preview` etc. run the program in the work
 * directory (cto's own runs hand the engine an inline program and ignore it; the engine only
 * checks that the file exists). The absolute path is rewritten by every cto run, so it follows
 * the cto that ran last.
 */
export function projectSettingsFor(project: string, backend: Backend): ProjectSettings {
  const main = programMainFile();
  return {
    name: project,
    description: `cto platform ${project}`,
    backend: { url: engineBackendUrl(backend) },
    ...(main ? { runtime: { name: "nodejs", options: { typescript: false } }, main } : { runtime: "nodejs" }),
  };
}

/** Open (and by default create) the stack of `plan.environment`. */
export async function openStack(plan: Plan, secrets: PlanSecrets, options: OpenStackOptions = {}): Promise<CtoStack> {
  const context = contextFor(plan, options);
  const { env, home, backend } = context;
  await prepareBackend(backend);
  const usesPassphrase = plan.state.secretsProvider === "passphrase";
  const passphrase = usesPassphrase
    ? await resolvePassphrase({ env, file: context.passphraseFile, create: options.create !== false })
    : undefined;
  const cli = await context.pulumi();
  const project = plan.platform.name;
  const workDir = workDirFor(home, project, backend);
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const engineEnv = engineEnvironment({ context, passphrase, tempDir: engineTempDir(home) });

  const auto = await import("@pulumi/pulumi/automation/index.js");
  const pulumiCommand = pulumiCommandFor(auto, cli);
  const workspace = await auto.LocalWorkspace.create({
    workDir,
    ...(options.program ? { program: options.program } : {}),
    pulumiCommand,
    envVars: engineEnv,
    secretsProvider: plan.state.secretsProvider,
    projectSettings: projectSettingsFor(project, backend),
  });
  const stack = (await stackExists(backend, project, plan.environment))
    ? existingStack(auto, plan.environment, workspace)
    : options.create === false
      ? await auto.Stack.select(plan.environment, workspace)
      : await auto.Stack.createOrSelect(plan.environment, workspace);
  return {
    stack,
    workspace,
    project,
    name: plan.environment,
    backend,
    cli,
    passphrase,
    engineEnv,
    workDir,
    home,
    context,
  };
}

/** The stacks of the plan's project in its backend, without selecting or creating any. */
export async function listStacksOnly(
  plan: Plan,
  options: Pick<OpenStackOptions, "context" | "env" | "home" | "cli"> = {},
): Promise<import("@pulumi/pulumi/automation/index.js").StackSummary[]> {
  const context = contextFor(plan, options);
  const { env, home, backend } = context;
  await prepareBackend(backend);
  const passphrase =
    plan.state.secretsProvider === "passphrase"
      ? await resolvePassphrase({ env, file: context.passphraseFile, create: true })
      : undefined;
  const cli = await context.pulumi();
  const auto = await import("@pulumi/pulumi/automation/index.js");
  const pulumiCommand = pulumiCommandFor(auto, cli);
  const workDir = workDirFor(home, plan.platform.name, backend);
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const workspace = await auto.LocalWorkspace.create({
    workDir,
    pulumiCommand,
    envVars: engineEnvironment({ context, passphrase, tempDir: engineTempDir(home) }),
    projectSettings: projectSettingsFor(plan.platform.name, backend),
  });
  return workspace.listStacks();
}

/**
 * The environment of the stack's Pulumi CLI run directly (not through the Automation API): `base`
 * (the caller's environment), the engine's, and the CLI's own directory first on PATH.
 */
export function cliProcessEnv(
  cs: Pick<CtoStack, "cli" | "engineEnv">,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...base, ...cs.engineEnv, PATH: `${cs.cli.binDir}${path.delimiter}${cs.engineEnv.PATH ?? ""}` };
}

/**
 * Run the stack's Pulumi CLI directly (for flags the Automation API does not expose), with the
 * workspace's directory and engine environment. Rejects with the CLI's output on failure.
 */
export function runCli(
  cs: Pick<CtoStack, "cli" | "workDir" | "engineEnv">,
  args: string[],
  onOutput: (text: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cs.cli.path, [...args, "--non-interactive"], {
      cwd: cs.workDir,
      env: cliProcessEnv(cs),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let all = "";
    const take = (d: Buffer): void => {
      const text = d.toString();
      all += text;
      onOutput(text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const abort = (): void => void child.kill("SIGINT");
    signal?.addEventListener("abort", abort, { once: true });
    child.on("error", reject);
    child.on("close", (code) => {
      signal?.removeEventListener("abort", abort);
      if (code === 0) resolve(all);
      else reject(new Error(`pulumi ${args[0]} failed (exit ${code}):\n${all.trim()}`));
    });
  });
}
