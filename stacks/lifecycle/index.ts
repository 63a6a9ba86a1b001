/**
 * The stack operations the CLI runs: preview, up (also for upgrade and rollback), refresh, destroy,
 * status, stacks, history and cancel. None of them prompts or prints: they report through
 * callbacks and return results, and the command modules decide what to show and what to ask.
 *
 * Every engine run (`engine-run.ts`):
 * - writes the engine's raw output to `<ctoHome>/logs/<project>-<stack>-<op>-<time>.log` (0600);
 * - drives a `ProgressModel` from engine events and passes each `ProgressEvent` to `onProgress`;
 * - turns a failure into a `LifecycleError` whose message and fix come from the engine-error table
 *   (`../engine-errors.ts`) when the failure is a known one, always naming the log file;
 * - can be cancelled through `signal` (the engine is asked to stop gracefully; see
 *   `cli/lifecycle/interrupt.ts`).
 *
 * One file per operation (`preview`, `up`, `refresh`, `destroy`, `cancel`, and `pulumi-passthrough`
 * for `cto pulumi`, the plain CLI on a stack); the read-only
 * questions (no engine run) are in `queries.ts`.
 */
export { changedKeys, isStatefulChange } from "./changes.js";
export { cancel } from "./cancel.js";
export { destroy, finishInterruptedDestroy, previewDestroy } from "./destroy.js";
export { noChangesSince, type FastPathResult } from "./fast-path.js";
export { preview } from "./preview.js";
export {
  history,
  lastApplied,
  listStacks,
  locks,
  planAlreadyApplied,
  rollbackPlan,
  sharedRecords,
  status,
  type HistoryEntry,
  type StackListEntry,
  type StackStatus,
} from "./queries.js";
export { runPulumi, stackArgument, type PassthroughOptions } from "./pulumi-passthrough.js";
export { refresh } from "./refresh.js";
export {
  LifecycleError,
  type LifecycleOptions,
  type PlannedStep,
  type PreviewReport,
  type UpdateReport,
} from "./types.js";
export { up, type UpOptions } from "./up.js";
