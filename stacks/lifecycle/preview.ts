/** `preview`: what would change, step by step, with the values `--diff` shows. */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { totalFromSummary } from "../progress.js";
import { cancelledBy, failure, finishRun, NOISE, startRun } from "./engine-run.js";
import { prepareProgram } from "./prepare-program.js";
import { StepCollector } from "./steps.js";
import type { LifecycleOptions, PreviewReport } from "./types.js";

/** What would change, resource by resource. Never takes the lock, never changes anything. */
export async function preview(
  plan: Plan,
  secrets: PlanSecrets,
  options: LifecycleOptions & { refresh?: boolean } = {},
): Promise<PreviewReport> {
  const run = await startRun(plan, secrets, "preview", options, true);
  const collector = new StepCollector(run.model, plan, true);
  const onEvent = (e: EngineEvent): void => {
    run.onEvent(e); // first: the model learns the resource's parent, used for its component
    collector.handle(e);
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
    const unique = collector.unique();
    return {
      environment: plan.environment,
      changes: result.changeSummary,
      total: Math.max(totalFromSummary(result.changeSummary), unique.length),
      steps: unique,
      stateful: unique.filter((s) => s.stateful),
      warnings: run.model.warnings.filter((w) => !NOISE.some((re) => re.test(w))),
      logFile: run.logFile,
      configWritten: Boolean(run.configWritten),
      details: collector.details,
    };
  } catch (err) {
    throw await failure(run, "preview", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}
