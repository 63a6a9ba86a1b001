/**
 * The machinery every engine run shares: open the stack (failures explained), the log file,
 * the progress model fed by engine events, turning a failure into a `LifecycleError`, and closing.
 */
import { mkdir, open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { UserError } from "../../config/errors.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { explainEngineError } from "../engine-errors.js";
import { describeLocks, listLocks } from "../lock.js";
import { ProgressModel } from "../progress.js";
import { contextFor } from "../run-context.js";
import { openStack, type CtoStack } from "../workspace.js";
import { LifecycleError, type LifecycleOptions } from "./types.js";

export interface Run {
  cs: CtoStack;
  log: FileHandle;
  logFile: string;
  model: ProgressModel;
  onEvent: (e: EngineEvent) => void;
  onOutput: (s: string) => void;
  /** Set by the program's preparation: what to save once the engine is done (success or not). */
  afterRun?: () => Promise<void>;
  /** Set by the program's preparation: whether it changed the stack config. */
  configWritten?: boolean;
}

/** Warnings every offline run prints that say nothing to a user. */
export const NOISE = [/^using pulumi-resource-[\w-]+ from \$PATH/];

async function openLog(home: string, cs: { project: string; name: string }, op: string): Promise<[FileHandle, string]> {
  const dir = path.join(home, "logs");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(dir, `${cs.project}-${cs.name}-${op}-${stamp}.log`);
  return [await open(file, "a", 0o600), file];
}

/** `openStack`, with engine failures (no such stack, wrong passphrase, …) explained. */
export async function openExplained(
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

export async function startRun(
  plan: Plan,
  secrets: PlanSecrets,
  op: string,
  options: LifecycleOptions,
  create: boolean,
  total = 0,
): Promise<Run> {
  const cs = await openExplained(plan, secrets, { context: contextFor(plan, options), create });
  const [log, logFile] = await openLog(cs.home, cs, op);
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

/** Turn an engine failure into a `LifecycleError`. */
export async function failure(
  run: Run,
  op: string,
  err: unknown,
  plan: Plan,
  cancelled: boolean,
): Promise<LifecycleError> {
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

export async function finishRun(run: Run): Promise<void> {
  try {
    await run.afterRun?.();
  } finally {
    await run.log.close().catch(() => undefined);
  }
}

/** Stack outputs with secret values masked. */
export function maskOutputs(outputs: Record<string, { value: unknown; secret: boolean }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
}

export const cancelledBy = (options: LifecycleOptions): boolean =>
  Boolean(options.signal?.aborted) || Boolean(options.interrupted?.());

/** A program for commands that never run one (status, history, cancel). */
export const noProgram: PulumiFn = async () => {
  throw new Error("this command does not run the program");
};
