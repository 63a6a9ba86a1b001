/**
 * What every lifecycle command shares: its options and IO, loading the plan (`cli/plan.ts`), and
 * the stack session around an engine run — Ctrl-C handling and progress output set up once,
 * a failure reported (change table, or one JSON error line) before it travels up to `cli/bin.ts`,
 * and the handlers always removed.
 *
 * Output: progress and results on stdout; prompts on stderr. With `--json`, stdout carries only
 * JSON: one line per event for up/upgrade/rollback/refresh/destroy (progress events as
 * `stacks/progress.ts` defines them, then `{"kind":"result",…}`), one document for the others
 * (preview prints its report, steps included, as one line).
 */
import type { LifecycleOptions } from "../../stacks/lifecycle/index.js";
import { renderFinalTable, renderProgressLine, type ProgressEvent } from "../../stacks/progress.js";
import type { RunContext } from "../../stacks/run-context.js";
import type { CancelOptions } from "../commands/cancel.js";
import type { DestroyOptions } from "../commands/destroy.js";
import type { HistoryOptions } from "../commands/history.js";
import type { PreviewOptions } from "../commands/preview.js";
import type { PulumiOptions } from "../commands/pulumi.js";
import type { RefreshOptions } from "../commands/refresh.js";
import type { RollbackOptions } from "../commands/rollback.js";
import type { StacksOptions } from "../commands/stacks.js";
import type { StatusOptions } from "../commands/status.js";
import type { UpOptions } from "../commands/up.js";
import type { UpgradeOptions } from "../commands/upgrade.js";
import { canPrompt, useColor } from "../context.js";
import { loadPlan, type LoadedPlan } from "../plan.js";
import { handleInterrupts } from "./interrupt.js";

/** The flags of the lifecycle commands that name an environment (all but `cto stacks`). */
type EnvironmentCommandOptions =
  | UpOptions
  | UpgradeOptions
  | RollbackOptions
  | DestroyOptions
  | PreviewOptions
  | RefreshOptions
  | StatusOptions
  | HistoryOptions
  | CancelOptions
  | PulumiOptions;

/**
 * What `load` reads, picked from the flag types of the commands that call it (`Pick` over their
 * union names only flags they all declare), so renaming one of these flags is a compile error here.
 * `cto stacks` has no `--env`; only `cto up` and `cto preview` have `--profile`.
 */
export type LoadFlags = Pick<EnvironmentCommandOptions | StacksOptions, "file"> &
  Partial<Pick<EnvironmentCommandOptions, "env">> &
  Partial<Pick<UpOptions | PreviewOptions, "profile">>;

export interface LifecycleIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** One line to stdout. */
  out: (line: string) => void;
  /** One line to stderr. */
  err: (line: string) => void;
  /** A terminal to ask on (and no CI). */
  interactive: boolean;
  /** stdin is a terminal (Ctrl-C reaches the engine directly). */
  terminal: boolean;
  color: boolean;
}

export function processLifecycleIO(): LifecycleIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    interactive: canPrompt(process.env),
    terminal: Boolean(process.stdin.isTTY),
    color: useColor(process.env),
  };
}

/**
 * cto.yaml → plan for the environment (and, for upgrades, another release), with the run's
 * context resolved once (`cli/plan.ts`): hand `context` to every stacks/ call of the command.
 */
export async function load(options: LoadFlags, io: LifecycleIO, release?: string): Promise<LoadedPlan> {
  const { file, env, profile } = options;
  return loadPlan({ file, env, profile, release }, io);
}

export type Lifecycle = typeof import("../../stacks/lifecycle/index.js");

/**
 * Run `work` against an environment's stack: it gets the operation options (interrupts wired to the
 * engine, progress printed as lines or JSON) and the lifecycle module. A failure is reported, then
 * rethrown; the interrupt handlers are removed whatever happens.
 */
export async function withStackSession<T>(
  io: LifecycleIO,
  run: { environment: string; context: RunContext },
  json: boolean,
  work: (opts: LifecycleOptions, lifecycle: Lifecycle) => Promise<T>,
): Promise<T> {
  const { environment, context } = run;
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const interrupts = handleInterrupts({ say: io.err, terminal: io.terminal, environment });
  const onProgress = (e: ProgressEvent): void => {
    if (json) {
      io.out(JSON.stringify(e));
      return;
    }
    const line = renderProgressLine(e);
    if (line !== undefined) io.out(line);
  };
  const opts: LifecycleOptions = {
    context,
    env: context.env,
    signal: interrupts.signal,
    interrupted: interrupts.interrupted,
    onProgress,
  };
  try {
    return await work(opts, lifecycle);
  } catch (err) {
    return reportFailure(lifecycle, err, io, json);
  } finally {
    interrupts.dispose();
  }
}

/** Print what happened before the error travels up to cli/bin.ts (which prints error + fix). */
function reportFailure(lifecycle: Lifecycle, err: unknown, io: LifecycleIO, json: boolean): never {
  if (err instanceof lifecycle.LifecycleError) {
    if (json) {
      io.out(
        JSON.stringify({
          kind: "error",
          message: err.message,
          fix: err.hint,
          errorKind: err.explanation?.kind,
          cancelled: err.cancelled,
          logFile: err.logFile,
        }),
      );
    } else if (err.rows.length > 0) {
      io.out("");
      io.out(renderFinalTable(err.rows));
    }
  }
  throw err;
}
