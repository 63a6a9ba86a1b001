/**
 * The stack operations the CLI runs: preview, up (also for upgrade and rollback), refresh, destroy,
 * status, stacks, history and cancel. None of them prompts or prints: they report through
 * callbacks and return results, and the command modules decide what to show and what to ask.
 *
 * Every engine run:
 * - writes the engine's raw output to `<ctoHome>/logs/<project>-<stack>-<op>-<time>.log` (0600);
 * - drives a `ProgressModel` from engine events and passes each `ProgressEvent` to `onProgress`;
 * - turns a failure into a `LifecycleError` whose message and fix come from the engine-error table
 *   (`engine-errors.ts`) when the failure is a known one, always naming the log file;
 * - can be cancelled through `signal` (the engine is asked to stop gracefully; see `interrupts.ts`).
 */
import { mkdir, open, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EngineEvent, OpMap, OpType, PulumiFn, UpdateSummary } from "@pulumi/pulumi/automation/index.js";
import { UserError } from "../config/errors.js";
import { ctoHome } from "../config/paths.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { explainEngineError, type EngineErrorExplanation } from "./engine-errors.js";
import { githubWebhooksManaged } from "./github/webhooks-managed.js";
import {
  historyDir,
  readHistory,
  recordFinish,
  recordStart,
  rollbackTarget,
  type HistoryOperation,
  type HistoryRecord,
} from "./history.js";
import { afterDestroy, beforeDestroy, finishInterruptedCrdCleanup, planCrdLedger } from "./crd-cleanup.js";
import type { CrdCleanup } from "./crds.js";
import { Kubectl } from "./diagnose/kubectl.js";
import { describeLocks, listLocks, type LockInfo } from "./lock.js";
import { stopOrphanedPlugins } from "./orphaned-plugins.js";
import { clusterKubeconfig } from "./kube-target.js";
import { pendingReleases, releaseRecordsDeleteArgs, readPendingOperations, refreshArgs } from "./pending.js";
import { passphraseValue } from "./passphrase.js";
import {
  isDefaultProvider,
  kindLabel,
  parseUrn,
  ProgressModel,
  totalFromSummary,
  type ProgressEvent,
  type ResourceRow,
} from "./progress.js";
import type { PulumiCli } from "./pulumi-cli.js";
import {
  CONFIG_KEYS,
  CREDENTIALS_CONFIG_KEY,
  PROJECT_NAME,
  RANDOM_CONFIG_KEY,
  type ProgramRuntime,
} from "./program-config.js";
import { setSecretConfigFromStdin, writePlanConfig } from "./secrets-config.js";
import { programSecrets } from "./secrets-store.js";
import { openStack, runCli, type CtoStack } from "./workspace.js";

export interface LifecycleOptions {
  env?: NodeJS.ProcessEnv;
  /** `cto`'s home; default `ctoHome(env)`. */
  home?: string;
  /**
   * The program for a plan; default `buildPlatform(plan, secrets)`. Tests of the lifecycle
   * mechanics pass programs of local resources derived from the plan, so rollback re-applies them.
   */
  programFor?: (plan: Plan, secrets: PlanSecrets) => PulumiFn;
  /** Host settings for the program (`cto:runtime`), e.g. the simulated cluster's work directory. */
  runtime?: ProgramRuntime;
  cli?: PulumiCli;
  /** Each progress event as it happens (already free of property values). */
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting asks the engine to cancel gracefully (SIGINT to the CLI). */
  signal?: AbortSignal;
  /** True when the user interrupted (the engine may have got the signal from the terminal directly). */
  interrupted?: () => boolean;
  /** Clock for durations (tests). */
  now?: () => number;
}

/** A failed engine run, explained. Exit code 1 (the environment, not the input, was the problem). */
export class LifecycleError extends UserError {
  readonly explanation?: EngineErrorExplanation;
  readonly logFile?: string;
  readonly rows: ResourceRow[];
  readonly cancelled: boolean;

  constructor(
    message: string,
    opts: {
      hint?: string;
      explanation?: EngineErrorExplanation;
      logFile?: string;
      rows?: ResourceRow[];
      cancelled?: boolean;
      cause?: unknown;
    },
  ) {
    super(message, { hint: opts.hint, exitCode: opts.cancelled ? 130 : 1, cause: opts.cause });
    this.name = "LifecycleError";
    this.explanation = opts.explanation;
    this.logFile = opts.logFile;
    this.rows = opts.rows ?? [];
    this.cancelled = opts.cancelled ?? false;
  }
}

/** Types whose replacement or deletion loses data. */
const STATEFUL_TYPES = [
  /:core\/v1:PersistentVolumeClaim$/,
  /:core\/v1:PersistentVolume$/,
  /:apps\/v1:StatefulSet$/,
  /:core\/v1:Namespace$/,
  /^kubernetes:postgresql\.cnpg\.io\/v\d+:Cluster$/,
  /^kubernetes:redis\.redis\.opstreelabs\.in\/\w+:Redis(Cluster|Replication|Sentinel)?$/,
  /^kubernetes:velero\.io\/v\d+:(Backup|BackupStorageLocation)$/,
];

/** One change the preview announced. */
export interface PlannedStep {
  urn: string;
  component: string;
  resource: string;
  type: string;
  label: string;
  op: OpType;
  /** Changed input properties (names only). */
  diffs: string[];
  /** Properties whose change forces a replacement. */
  replaceKeys: string[];
  /** Replacing or deleting it loses data (volumes, databases, namespaces). */
  stateful: boolean;
}

export interface PreviewReport {
  environment: string;
  changes: OpMap;
  /** Number of resources that change (the denominator of `[n/total]`). */
  total: number;
  steps: PlannedStep[];
  /** Steps that replace or delete something stateful. */
  stateful: PlannedStep[];
  warnings: string[];
  logFile: string;
  /**
   * Old and new values of each step's changed inputs, for `cto preview --diff`. A Map, so
   * `JSON.stringify` of the report leaves it out: JSON output carries property names only.
   * Secret values arrive from the engine already masked.
   */
  details: Map<string, { olds: Record<string, unknown>; news: Record<string, unknown> }>;
}

export interface UpdateReport {
  environment: string;
  operation: "up" | "upgrade" | "rollback" | "refresh" | "destroy";
  changes: OpMap;
  rows: ResourceRow[];
  seconds: number;
  /** Stack outputs, secret ones replaced by "[secret]". */
  outputs: Record<string, unknown>;
  logFile: string;
  history?: HistoryRecord;
  warnings: string[];
  /** destroy: the CRDs of the platform's charts it deleted (Helm keeps them on uninstall), or why not. */
  crds?: CrdCleanup;
}

const DESTRUCTIVE_OPS = new Set<OpType>(["replace", "delete", "delete-replaced", "create-replacement"]);

/**
 * Input properties whose values differ (names only; values are never kept). Used when the
 * provider reports no diff keys (dynamic providers don't).
 */
export function changedKeys(olds?: Record<string, unknown>, news?: Record<string, unknown>): string[] {
  if (!olds || !news) return [];
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !k.startsWith("__") && JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
}

/** Whether replacing/deleting a resource of this type and component loses data. */
export function isStatefulChange(type: string, op: OpType, componentCategory?: string): boolean {
  if (!DESTRUCTIVE_OPS.has(op)) return false;
  if (STATEFUL_TYPES.some((re) => re.test(type))) return true;
  // Removing a database operator's release removes its CRDs and, with them, the databases.
  return componentCategory === "database" && /helm\.sh\/v\d+:Release$/.test(type);
}

// ---------------------------------------------------------------------------------------------
// Engine runs

interface Run {
  cs: CtoStack;
  log: FileHandle;
  logFile: string;
  model: ProgressModel;
  onEvent: (e: EngineEvent) => void;
  onOutput: (s: string) => void;
  /** Set by the program's preparation: what to save once the engine is done (success or not). */
  afterRun?: () => Promise<void>;
}

/** Warnings every offline run prints that say nothing to a user. */
const NOISE = [/^using pulumi-resource-[\w-]+ from \$PATH/];

async function openLog(home: string, cs: { project: string; name: string }, op: string): Promise<[FileHandle, string]> {
  const dir = path.join(home, "logs");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(dir, `${cs.project}-${cs.name}-${op}-${stamp}.log`);
  return [await open(file, "a", 0o600), file];
}

/** `openStack`, with engine failures (no such stack, wrong passphrase, …) explained. */
async function openExplained(
  plan: Plan,
  secrets: PlanSecrets,
  options: Parameters<typeof openStack>[2],
): Promise<CtoStack> {
  try {
    return await openStack(plan, secrets, options);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const text = (err as Error)?.message ?? String(err);
    if (/no stack named/.test(text)) {
      throw new UserError(`environment ${plan.environment} has no stack yet: nothing is installed there`, {
        hint: `cto up --env ${plan.environment} creates it (cto stacks lists the existing ones)`,
        exitCode: 1,
        cause: err,
      });
    }
    const explanation = explainEngineError(text, { environment: plan.environment, plan });
    if (explanation) {
      throw new LifecycleError(explanation.message, { hint: explanation.fix, explanation, cause: err });
    }
    throw err;
  }
}

async function startRun(
  plan: Plan,
  secrets: PlanSecrets,
  op: string,
  options: LifecycleOptions,
  create: boolean,
  total = 0,
): Promise<Run> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const cs = await openExplained(plan, secrets, { env, home, cli: options.cli, create });
  const [log, logFile] = await openLog(home, cs, op);
  await log.write(
    `# cto ${op} ${cs.project}/${cs.name} at ${new Date().toISOString()}\n# pulumi ${cs.cli.version} (${cs.cli.path}), backend ${cs.backend.url}\n`,
  );
  const model = new ProgressModel({ total, now: options.now, components: plan.components.map((c) => c.name) });
  const onEvent = (e: EngineEvent): void => {
    for (const p of model.handle(e)) {
      if (p.kind === "diagnostic" && p.severity === "warning" && NOISE.some((re) => re.test(p.message))) continue;
      options.onProgress?.(p);
    }
  };
  const onOutput = (s: string): void => void log.write(s);
  return { cs, log, logFile, model, onEvent, onOutput };
}

/**
 * Write the stack config (plan, secrets, random store, runtime) and return the program to run.
 *
 * The platform program renders the plan first (`renderPlatform`), which fills the template random
 * store (e.g. an installation id) from the stored `cto:random`; values the render adds are saved
 * back (secret config) when the run ends, so every later run renders the same ones. Cluster inputs (kubeconfig, SSH
 * keys, kwok paths) are read here, in `stacks/`, as `stacks/pulumi-main.ts` does for plain
 * `pulumi preview`.
 */
async function prepareProgram(
  run: Run,
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions,
): Promise<PulumiFn> {
  const cs = run.cs;
  const env = options.env ?? process.env;
  const target = {
    name: cs.name,
    workDir: cs.workDir,
    cliPath: cs.cli.path,
    engineEnv: cs.engineEnv,
    digestKey: cs.passphrase ? await passphraseValue(cs.passphrase) : undefined,
    setAllConfig: (config: Record<string, { value: string; secret?: boolean }>) => cs.stack.setAllConfig(config),
  };
  const runtime: ProgramRuntime = { ...(options.runtime ?? {}) };
  if (runtime.githubWebhooks === undefined && !options.programFor) {
    runtime.githubWebhooks = await githubWebhooksManaged(plan, env, [
      cs.cli.binDir,
      ...(cs.engineEnv.PATH ?? "").split(path.delimiter),
    ]);
    if (!runtime.githubWebhooks && plan.github.webhookUrl) {
      options.onProgress?.({
        kind: "diagnostic",
        severity: "warning",
        message:
          `the GitHub webhook (${plan.github.webhookUrl}) is not managed by cto here: the pulumi-resource-github ` +
          `plugin is not installed (offline). Create the webhook on GitHub by hand, or install the plugin ` +
          `(pulumi plugin install resource github) and set CTO_GITHUB_WEBHOOKS=true`,
      });
    }
  }
  await writePlanConfig(target, plan, secrets, runtime);
  if (options.programFor) return options.programFor(plan, secrets);

  const [{ buildPlatform }, { readClusterInputs }, { renderPlatform }, pulumi] = await Promise.all([
    import("./program.js"),
    import("./cluster-inputs.js"),
    import("../templates/render.js"),
    import("@pulumi/pulumi"),
  ]);
  const templateEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const cluster = readClusterInputs(plan, runtime, env);
  // The random store and the stored credentials are read inside the program, where the engine hands
  // over the decrypted config (reading them here would cost a CLI process, ~0.8 s of CPU); values
  // the render adds to the random store are saved after the run.
  run.afterRun = async () => {
    if (generated) await setSecretConfigFromStdin(target, CONFIG_KEYS.random, JSON.stringify(generated));
  };
  let generated: Record<string, string> | undefined;
  return async () => {
    const config = new pulumi.Config(PROJECT_NAME);
    // Credentials stored by `cto secrets set` / `cto github apps create` (cto:credentials); cto.yaml's
    // own secrets win. They are not copied into cto:secrets.
    const withCredentials = programSecrets(config.get(CREDENTIALS_CONFIG_KEY), secrets, cs.name);
    const stored = config.getObject<Record<string, string>>(RANDOM_CONFIG_KEY) ?? {};
    const randomStore = { ...stored };
    const rendered = renderPlatform(plan, { env: templateEnv, randomStore });
    if (JSON.stringify(randomStore) !== JSON.stringify(stored)) generated = randomStore;
    const buildOptions = { rendered, randomStore, env: templateEnv, cluster, githubWebhooks: runtime.githubWebhooks };
    return buildPlatform(plan, withCredentials, buildOptions) as unknown as Record<string, unknown>;
  };
}

/**
 * Resolves what a killed run left pending (see `pending.ts`) before this run's engine starts:
 * stops the plugin processes it left running (`orphaned-plugins.ts`), removes the Helm records of
 * the releases it left unfinished, then clears its pending creates with a refresh. Skipped while
 * anyone holds the stack's lock: the engine then refuses the run and names the holder (`cto cancel`
 * clears a dead one); `cto refresh --clear-pending` (`mode` "refresh") runs its refresh anyway, for
 * the engine to refuse. Before a destroy, a release whose creation was interrupted is left whole
 * (nothing of it is in the state, so destroy cannot remove it) and named, with how to remove it.
 */
async function resolvePendingOperations(
  run: Run,
  plan: Plan,
  options: LifecycleOptions,
  mode: "up" | "destroy" | "refresh",
): Promise<void> {
  // First, so that nothing a dead run started goes on changing the cluster while this one looks.
  const stopped = await stopOrphanedPlugins(run.cs.workDir).catch(() => []);
  if (stopped.length > 0) {
    await run.log.write(
      `# stopped plugin processes a killed run left running: ${stopped.map((p) => `${p.pid} ${p.cmdline}`).join("; ")}\n`,
    );
  }
  const ops = await readPendingOperations(run.cs);
  if (ops.length === 0 && mode !== "refresh") return;
  const held = await listLocks(run.cs.backend, run.cs.project, run.cs.name).catch(() => []);
  if (held.length > 0) {
    if (mode === "refresh") await runCli(run.cs, refreshArgs(run.cs.name, ops), run.onOutput, options.signal);
    return;
  }
  const warn = (message: string): void => options.onProgress?.({ kind: "diagnostic", severity: "warning", message });
  if (ops.length > 0) {
    warn(
      `an earlier run of ${plan.environment} was interrupted with ${ops.length} operation(s) unfinished; ` +
        `reading the cluster to finish them`,
    );
  }
  const releases = pendingReleases(ops);
  const kubectl = new Kubectl(clusterKubeconfig(plan, options.env ?? process.env), { requestTimeoutSeconds: 30 });
  for (const release of releases) {
    if (release.created && mode === "destroy") {
      warn(
        `Helm release ${release.namespace}/${release.name} was being installed when a run was killed and is not in ` +
          `the state, so destroy does not remove it: helm uninstall ${release.name} -n ${release.namespace}`,
      );
      continue;
    }
    const result = await kubectl.text(releaseRecordsDeleteArgs(release));
    const outcome = result.ok ? result.value.trim() || "no record" : result.error.message;
    const what = release.created ? "creation" : "update";
    await run.log.write(`# unfinished Helm release ${release.namespace}/${release.name} (${what}): ${outcome}\n`);
    if (!result.ok) {
      warn(`could not clear the unfinished Helm release ${release.namespace}/${release.name}: ${result.error.message}`);
    }
  }
  await runCli(run.cs, refreshArgs(run.cs.name, ops), run.onOutput, options.signal);
}

/** Turn an engine failure into a `LifecycleError`. */
async function failure(run: Run, op: string, err: unknown, plan: Plan, cancelled: boolean): Promise<LifecycleError> {
  const text = [(err as Error)?.message ?? String(err), ...run.model.errors].join("\n");
  const explanation = explainEngineError(text, {
    environment: plan.environment,
    plan,
    passphraseFile: run.cs.passphrase?.file,
  });
  // For a file backend the lock files say more than the engine: whether the holder still runs.
  if (explanation?.kind === "lock-held") {
    const held = await listLocks(run.cs.backend, run.cs.project, run.cs.name).catch(() => []);
    if (held.length > 0) explanation.message = `stack ${plan.environment} is locked by ${describeLocks(held)}`;
    if (held.length > 0 && held.every((l) => l.alive === false)) {
      explanation.fix =
        `the update that took the lock died; clear it with cto cancel --env ${plan.environment}, ` +
        `then cto up --env ${plan.environment} (it finishes what the interrupted run left pending)`;
    }
  }
  const rows = run.model.rowsInOrder();
  if (cancelled) {
    return new LifecycleError(`cto ${op} was cancelled; the engine stopped after finishing the steps in flight`, {
      hint: `cto refresh --env ${plan.environment} brings the state in line with what exists; then cto ${op === "destroy" ? "destroy" : "up"} --env ${plan.environment}. Engine log: ${run.logFile}`,
      logFile: run.logFile,
      rows,
      cancelled: true,
      cause: err,
    });
  }
  const failed = run.model.failures()[0];
  const engineLine = firstErrorLine(text);
  const message = explanation
    ? explanation.message
    : failed
      ? `${failed.component}: ${failed.label} ${failed.resource} failed: ${(failed.message ?? engineLine).split("\n")[0]}`
      : `cto ${op} failed: ${engineLine}`;
  return new LifecycleError(message, {
    hint: `${explanation?.fix ?? "see the engine log for the full output"}. Engine log: ${run.logFile}`,
    explanation,
    logFile: run.logFile,
    rows,
    cause: err,
  });
}

/** The most telling line of an engine failure text. */
function firstErrorLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const err = lines.find((l) => /^error:/.test(l) && !/update failed|preview failed/.test(l));
  return (err ?? lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "unknown error").replace(/^error:\s*/, "");
}

async function finishRun(run: Run): Promise<void> {
  try {
    await run.afterRun?.();
  } finally {
    await run.log.close().catch(() => undefined);
  }
}

/** Stack outputs with secret values masked. */
function maskOutputs(outputs: Record<string, { value: unknown; secret: boolean }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
}

const cancelledBy = (options: LifecycleOptions): boolean =>
  Boolean(options.signal?.aborted) || Boolean(options.interrupted?.());

// ---------------------------------------------------------------------------------------------
// Operations

/** What would change, resource by resource. Never takes the lock, never changes anything. */
export async function preview(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions & { refresh?: boolean } = {},
): Promise<PreviewReport> {
  const run = await startRun(plan, secrets, "preview", options, true);
  const steps: PlannedStep[] = [];
  const details: PreviewReport["details"] = new Map();
  const categories = new Map(plan.components.map((c) => [c.name, c.category]));
  const onEvent = (e: EngineEvent): void => {
    run.onEvent(e); // first: the model learns the resource's parent, used for its component
    const pre = e.resourcePreEvent;
    if (pre?.planning) {
      const m = pre.metadata;
      if (m.op === "same" || m.op === "read" || isDefaultProvider(m.urn)) return;
      const component = run.model.componentOf(m.urn);
      const type = m.type || parseUrn(m.urn).type;
      const diffs = m.diffs && m.diffs.length > 0 ? m.diffs : changedKeys(m.old?.inputs, m.new?.inputs);
      const pick = (o?: Record<string, unknown>) => Object.fromEntries(diffs.map((k) => [k, o?.[k]]));
      details.set(m.urn, { olds: pick(m.old?.inputs), news: pick(m.new?.inputs) });
      steps.push({
        urn: m.urn,
        component,
        resource: parseUrn(m.urn).name,
        type,
        label: kindLabel(type),
        op: m.op,
        diffs,
        replaceKeys: m.keys ?? [],
        stateful: isStatefulChange(type, m.op, categories.get(component)),
      });
    }
  };
  try {
    const program = await prepareProgram(run, plan, secrets, options);
    const result = await run.cs.stack.preview({
      program,
      onEvent,
      onOutput: run.onOutput,
      onError: run.onOutput,
      signal: options.signal,
      refresh: options.refresh,
      diff: false,
    });
    // One entry per resource (a replacement announces several steps for one URN).
    const byUrn = new Map<string, PlannedStep>();
    for (const s of steps) {
      const prev = byUrn.get(s.urn);
      if (!prev || s.op === "replace") byUrn.set(s.urn, { ...s, stateful: s.stateful || Boolean(prev?.stateful) });
    }
    const unique = [...byUrn.values()];
    return {
      environment: plan.environment,
      changes: result.changeSummary,
      total: Math.max(totalFromSummary(result.changeSummary), unique.length),
      steps: unique,
      stateful: unique.filter((s) => s.stateful),
      warnings: run.model.warnings.filter((w) => !NOISE.some((re) => re.test(w))),
      logFile: run.logFile,
      details,
    };
  } catch (err) {
    throw await failure(run, "preview", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}

export interface UpOptions extends LifecycleOptions {
  /** What the history calls this update. */
  operation?: HistoryOperation;
  /** For a rollback: the history record re-applied. */
  rollbackOf?: number;
  /** The preview's count, for `[n/total]`. */
  total?: number;
  /** Refresh state from the cluster first. */
  refresh?: boolean;
}

/** Apply the plan. Records it in the history first, and the result after. */
export async function up(plan: Plan, secrets: PlanSecrets, options: UpOptions = {}): Promise<UpdateReport> {
  const operation = options.operation ?? "up";
  const run = await startRun(plan, secrets, operation, options, true, options.total ?? 0);
  const hdir = historyDir(run.cs.home, run.cs.project, run.cs.name);
  let record = await recordStart(hdir, {
    operation,
    plan,
    rollbackOf: options.rollbackOf,
    user: os.userInfo().username,
    host: os.hostname(),
  });
  try {
    await resolvePendingOperations(run, plan, options, "up");
    const program = await prepareProgram(run, plan, secrets, options);
    const result = await run.cs.stack.up({
      program,
      onEvent: run.onEvent,
      onOutput: run.onOutput,
      onError: run.onOutput,
      signal: options.signal,
      refresh: options.refresh,
    });
    const changes = result.summary.resourceChanges ?? {};
    record = await recordFinish(hdir, record, {
      status: "succeeded",
      engineVersion: result.summary.version,
      changes: changes as Record<string, number>,
    });
    return {
      environment: plan.environment,
      operation,
      changes,
      rows: run.model.rowsInOrder(),
      seconds: run.model.elapsedSeconds(),
      outputs: maskOutputs(result.outputs),
      logFile: run.logFile,
      history: record,
      warnings: run.model.warnings.filter((w) => !NOISE.some((re) => re.test(w))),
    };
  } catch (err) {
    const cancelled = cancelledBy(options);
    const error = await failure(run, operation, err, plan, cancelled);
    const engineVersion = await latestEngineVersion(run.cs, "update").catch(() => undefined);
    await recordFinish(hdir, record, {
      status: cancelled ? "cancelled" : "failed",
      engineVersion,
      error: error.message,
    }).catch(() => undefined);
    throw error;
  } finally {
    await finishRun(run);
  }
}

async function latestEngineVersion(cs: CtoStack, kind: string): Promise<number | undefined> {
  const [latest] = await cs.stack.history(1);
  return latest && latest.kind === kind ? latest.version : undefined;
}

/** Read the cluster and bring the state in line; `clearPending` drops operations a crash left pending. */
export async function refresh(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions & { clearPending?: boolean } = {},
): Promise<UpdateReport> {
  const run = await startRun(plan, secrets, "refresh", options, false);
  try {
    const result = options.clearPending
      ? await refreshResolvingPending(run, plan, options)
      : (
          await run.cs.stack.refresh({
            onEvent: run.onEvent,
            onOutput: run.onOutput,
            onError: run.onOutput,
            signal: options.signal,
          })
        ).summary;
    return {
      environment: plan.environment,
      operation: "refresh",
      changes: result.resourceChanges ?? {},
      rows: run.model.rowsInOrder(),
      seconds: run.model.elapsedSeconds(),
      outputs: maskOutputs(await run.cs.stack.outputs()),
      logFile: run.logFile,
      warnings: run.model.warnings,
    };
  } catch (err) {
    throw await failure(run, "refresh", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}

/**
 * A refresh that also resolves what an interrupted run left pending, as `cto up` does first (see
 * `pending.ts`): the Automation API has no option for pending creates, so the CLI runs it with the
 * workspace's directory and environment; output goes to the log.
 */
async function refreshResolvingPending(run: Run, plan: Plan, options: LifecycleOptions): Promise<UpdateSummary> {
  await resolvePendingOperations(run, plan, options, "refresh");
  const [latest] = await run.cs.stack.history(1);
  if (!latest) throw new Error("refresh finished but the stack has no history entry");
  return latest;
}

/** Delete everything the stack manages. The stack itself (and its history) is kept. */
export async function destroy(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions & { keepCrds?: boolean } = {},
): Promise<UpdateReport> {
  const run = await startRun(plan, secrets, "destroy", options, false);
  const env = options.env ?? process.env;
  const ledger = planCrdLedger(plan, run.cs.home);
  try {
    await resolvePendingOperations(run, plan, options, "destroy");
    // Helm keeps the charts' CRDs on uninstall; destroy leaves nothing of ours unless asked to. The
    // names of the crds/ CRDs are in the release records, which the engine's destroy deletes.
    const recorded = options.keepCrds
      ? []
      : await beforeDestroy(plan, env, ledger, (line) => void run.log.write(`# ${line}\n`));
    const result = await run.cs.stack.destroy({
      onEvent: run.onEvent,
      onOutput: run.onOutput,
      onError: run.onOutput,
      signal: options.signal,
    });
    const crds = await afterDestroy(plan, env, ledger, recorded, Boolean(options.keepCrds));
    await logCrdCleanup(run.log, crds);
    return {
      environment: plan.environment,
      operation: "destroy",
      changes: result.summary.resourceChanges ?? {},
      rows: run.model.rowsInOrder(),
      seconds: run.model.elapsedSeconds(),
      outputs: {},
      logFile: run.logFile,
      warnings: run.model.warnings,
      crds,
    };
  } catch (err) {
    throw await failure(run, "destroy", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}

async function logCrdCleanup(log: FileHandle, crds: CrdCleanup): Promise<void> {
  if (crds.deleted.length > 0) await log.write(`# deleted CRDs: ${crds.deleted.join(" ")}\n`);
  if (crds.preexisting) await log.write(`# kept CRDs that existed before the charts: ${crds.preexisting.join(" ")}\n`);
}

/**
 * For a destroy that found nothing to destroy: finishes the CRD cleanup of an earlier destroy
 * that was interrupted after the engine's part (see `crd-cleanup.ts`); `undefined` when there
 * was none.
 */
export async function finishInterruptedDestroy(
  plan: Plan,
  options: Pick<LifecycleOptions, "env" | "home"> & { keepCrds?: boolean } = {},
): Promise<CrdCleanup | undefined> {
  const env = options.env ?? process.env;
  const ledger = planCrdLedger(plan, options.home ?? ctoHome(env));
  return finishInterruptedCrdCleanup(plan, env, ledger, Boolean(options.keepCrds));
}

/** How many changes a destroy would make (its preview). */
export async function previewDestroy(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions = {},
): Promise<{ changes: OpMap; total: number; logFile: string }> {
  const run = await startRun(plan, secrets, "preview-destroy", options, false);
  try {
    const result = await run.cs.stack.previewDestroy({ onOutput: run.onOutput, onError: run.onOutput });
    return { changes: result.changeSummary, total: totalFromSummary(result.changeSummary), logFile: run.logFile };
  } catch (err) {
    throw await failure(run, "destroy", err, plan, false);
  } finally {
    await finishRun(run);
  }
}

export interface StackStatus {
  environment: string;
  project: string;
  backend: string;
  outputs: Record<string, unknown>;
  resourceCount: number;
  lastUpdate?: { kind: string; result: string; startTime: string; endTime?: string; version: number };
  /** Who holds the stack's lock (file backends), if anyone. */
  locks: LockInfo[];
}

/** Outputs, last update and resource count of an environment (no engine run). */
export async function status(plan: Plan, secrets: PlanSecrets, options: LifecycleOptions = {}): Promise<StackStatus> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const cs = await openExplained(plan, secrets, { env, home, program: noProgram, cli: options.cli, create: false });
  const [outputs, [last], summaries, locks] = await Promise.all([
    cs.stack.outputs(),
    cs.stack.history(1),
    cs.workspace.listStacks(),
    listLocks(cs.backend, cs.project, cs.name),
  ]);
  const summary = summaries.find((s) => s.name === cs.name || s.name.endsWith(`/${cs.name}`));
  return {
    environment: cs.name,
    project: cs.project,
    backend: cs.backend.url,
    outputs: maskOutputs(outputs),
    resourceCount: summary?.resourceCount ?? 0,
    lastUpdate: last
      ? {
          kind: last.kind,
          result: last.result,
          startTime: new Date(last.startTime).toISOString(),
          endTime: last.endTime ? new Date(last.endTime).toISOString() : undefined,
          version: last.version,
        }
      : undefined,
    locks,
  };
}

/** A program for commands that never run one (status, history, cancel). */
const noProgram: PulumiFn = async () => {
  throw new Error("this command does not run the program");
};

export interface StackListEntry {
  environment: string;
  lastUpdate?: string;
  resourceCount?: number;
  updateInProgress: boolean;
}

/** Every environment (stack) of the platform's project in its backend. */
export async function listStacks(plan: Plan, options: LifecycleOptions = {}): Promise<StackListEntry[]> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  // Opening selects the plan's environment if it exists; listing needs no stack, so any name works.
  const { listStacksOnly } = await import("./workspace.js");
  const summaries = await listStacksOnly(plan, { env, home, cli: options.cli });
  return summaries
    .map((s) => ({
      environment: s.name.split("/").pop() as string,
      lastUpdate: s.lastUpdate,
      resourceCount: s.resourceCount,
      updateInProgress: s.updateInProgress ?? false,
    }))
    .sort((a, b) => a.environment.localeCompare(b.environment));
}

export interface HistoryEntry {
  /** cto's record number (what `cto rollback --to N` takes). */
  n: number;
  operation: HistoryOperation;
  status: string;
  startedAt: string;
  finishedAt?: string;
  release: string;
  profile: string;
  versions: Record<string, string>;
  programVersion: string;
  engineVersion?: number;
  changes?: Record<string, number>;
  rollbackOf?: number;
  user?: string;
  host?: string;
}

/** The recorded updates of an environment, newest last. */
export async function history(plan: Plan, options: LifecycleOptions = {}): Promise<HistoryEntry[]> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const records = await readHistory(historyDir(home, plan.platform.name, plan.environment));
  return records.map((r) => ({
    n: r.n,
    operation: r.operation,
    status: r.status,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    release: r.release,
    profile: r.profile,
    versions: r.versions,
    programVersion: r.programVersion,
    engineVersion: r.engineVersion,
    changes: r.changes,
    rollbackOf: r.rollbackOf,
    user: r.user,
    host: r.host,
  }));
}

/** The latest successful update of the environment, if any. */
export async function lastApplied(
  plan: Plan,
  options: Pick<LifecycleOptions, "env" | "home"> = {},
): Promise<HistoryRecord | undefined> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const records = await readHistory(historyDir(home, plan.platform.name, plan.environment));
  return records.filter((r) => r.status === "succeeded").pop();
}

/**
 * True when the latest successful update applied exactly this plan (so a preview without changes
 * means there is nothing to do, not even a new history record).
 */
export async function planAlreadyApplied(
  plan: Plan,
  options: Pick<LifecycleOptions, "env" | "home"> = {},
): Promise<boolean> {
  const last = await lastApplied(plan, options);
  return last !== undefined && JSON.stringify(last.plan) === JSON.stringify(plan);
}

/**
 * The plan a rollback re-applies: update `to` of the history, or the successful update before the
 * current one. The plan is as recorded; secrets are the current ones (values are never recorded).
 */
export async function rollbackPlan(
  plan: Plan,
  secrets: PlanSecrets,
  to: number | undefined,
  options: Pick<LifecycleOptions, "env" | "home"> = {},
): Promise<{ record: HistoryRecord; plan: Plan; missingSecrets: string[] }> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const records = await readHistory(historyDir(home, plan.platform.name, plan.environment));
  const record = rollbackTarget(records, to);
  return {
    record,
    plan: record.plan,
    missingSecrets: record.secretNames.filter((n) => secrets[n] === undefined),
  };
}

/** Locks held on an environment's stack (file backends; empty for others). */
export async function locks(plan: Plan, options: LifecycleOptions = {}): Promise<LockInfo[]> {
  const env = options.env ?? process.env;
  const { resolveBackend } = await import("./backend.js");
  return listLocks(resolveBackend(plan, { env }), plan.platform.name, plan.environment);
}

/**
 * Clear the lock of an environment's stack (call only after the user confirmed the holder is gone).
 * The engine does it (`pulumi cancel`): it removes the lock files of file and object-storage
 * backends and cancels the running update on the Pulumi service. Returns the holders it cleared
 * (known for file backends).
 */
export async function cancel(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions = {},
): Promise<{ removed: LockInfo[]; message: string }> {
  const env = options.env ?? process.env;
  const home = options.home ?? ctoHome(env);
  const cs = await openExplained(plan, secrets, { env, home, program: noProgram, cli: options.cli, create: false });
  const held = await listLocks(cs.backend, cs.project, cs.name);
  if (cs.backend.kind === "file" && held.length === 0) {
    return { removed: [], message: `stack ${plan.environment} is not locked` };
  }
  await cs.stack.cancel();
  return {
    removed: held,
    message:
      held.length > 0 ? `cleared the lock of ${describeLocks(held)}` : `cancelled the update of ${plan.environment}`,
  };
}
