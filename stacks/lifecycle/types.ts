/** What the operations take and return, and the error a failed engine run becomes. */
import type { OpMap, OpType, PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { UserError } from "../../config/errors.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import type { EngineErrorExplanation } from "../engine-errors.js";
import type { HistoryRecord } from "../history.js";
import type { CrdCleanup } from "../crds.js";
import type { ProgressEvent, ResourceRow } from "../progress.js";
import type { PulumiCli } from "../pulumi-cli.js";
import type { ProgramRuntime } from "../program-config.js";
import type { RunContext } from "../run-context.js";

export interface LifecycleOptions {
  /**
   * The run's context, resolved once by the CLI (`cli/plan.ts`, `../run-context.ts`): every
   * operation and query takes home, backend, toolchain, passphrase file and Pulumi CLI from it.
   * Without one (tests, benchmarks), `contextFor` builds it from `env`, `home` and `cli`.
   */
  context?: RunContext;
  /** Only without `context`: the environment to build it from. */
  env?: NodeJS.ProcessEnv;
  /** Only without `context`: `cto`'s home; default `ctoHome(env)`. */
  home?: string;
  /**
   * The program for a plan; default `buildPlatform(plan, secrets)`. Tests of the lifecycle
   * mechanics pass programs of local resources derived from the plan, so rollback re-applies them.
   */
  programFor?: (plan: Plan, secrets: PlanSecrets) => PulumiFn;
  /** Host settings for the program (`cto:runtime`), e.g. the simulated cluster's work directory. */
  runtime?: ProgramRuntime;
  /** Only without `context`: a Pulumi CLI already found. */
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
  /** Whether the preview changed the stack config (plan, runtime or secrets differed from the stored ones). */
  configWritten: boolean;
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
  /** up, upgrade, rollback: the changes that replaced or deleted resources holding data. */
  stateful?: PlannedStep[];
  /** destroy: the CRDs of the platform's charts it deleted (Helm keeps them on uninstall), or why not. */
  crds?: CrdCleanup;
}
