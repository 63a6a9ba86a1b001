/**
 * The prerequisites registry's shapes, after the PRD's `PrerequisitesValidator`: each check has a
 * name, a check function, the fix (an exact command or a link) and whether it is critical.
 *
 * A report is what `cto doctor` prints and what `cto up` consults before touching anything.
 * `DoctorReport` is also the `--json` output of `cto doctor`; its shape is versioned by
 * `schemaVersion` and covered by a test, so change it only by adding fields.
 */
import type { Plan } from "../../profiles/plan.js";
import type { Probes } from "./probes.js";

/**
 * - `ok`: the requirement is met (✓)
 * - `fail`: not met (✗ when the check is critical, ! when it is not)
 * - `warn`: met with a caveat worth reading (!)
 * - `skip`: does not apply to this plan or cannot be judged yet; `reason` says why (-)
 */
export type CheckStatus = "ok" | "fail" | "warn" | "skip";

/** What one check found. */
export interface CheckResult {
  /** Stable identifier, e.g. `tool.docker`, `cluster.capacity`. */
  id: string;
  /** Human name, e.g. "Docker". */
  name: string;
  status: CheckStatus;
  /** A failed critical check stops `cto up` and makes `cto doctor` exit 1. */
  critical: boolean;
  /** What was found, in one sentence: "Docker 27.3.1, daemon running", "short by 3.5 CPU and 6 GiB". */
  reason: string;
  /** The exact fix (a command to run or a link to follow); present for every fail and warn. */
  fix?: string;
  /** Numbers behind the verdict, for `--json` readers (bytes, cores, versions, ports). */
  details?: Record<string, unknown>;
}

/** The result of a check function before the registry adds id, name and criticality. */
export type CheckOutcome = Omit<CheckResult, "id" | "name" | "critical"> & {
  /** Overrides the check's default criticality for this outcome (e.g. a warning-only case). */
  critical?: boolean;
};

/** Everything a check may read: the plan, the probes and where `cto` keeps its files. */
export interface CheckContext {
  plan: Plan;
  probes: Probes;
  /** `~/.cto` (or the injected home's). */
  ctoHome: string;
  /** Token for the GitHub checks when it does not come from the environment (e.g. a stack secret). */
  githubToken?: string;
}

/** One entry of the registry. */
export interface Check {
  id: string;
  name: string;
  /** Default criticality; an outcome can override it. */
  critical: boolean;
  /** False when the check has nothing to say for this plan (it is then not listed at all). */
  appliesTo(plan: Plan): boolean;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** `cto doctor --json` and the return value of `runPreflight`. */
export interface DoctorReport {
  /** Version of this shape. */
  schemaVersion: 1;
  /** True when no critical check failed. */
  ok: boolean;
  environment: string;
  profile: string;
  provider: Plan["cluster"]["provider"];
  summary: { ok: number; failed: number; warnings: number; skipped: number; criticalFailures: number };
  checks: CheckResult[];
}
