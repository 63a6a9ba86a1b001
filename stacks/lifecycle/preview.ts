/** `preview`: what would change, step by step, with the values `--diff` shows. */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { Plan, PlanSecrets } from "../../profiles/plan.js";
import { isDefaultProvider, kindLabel, parseUrn, totalFromSummary } from "../progress.js";
import { changedKeys, isStatefulChange } from "./changes.js";
import { cancelledBy, failure, finishRun, NOISE, startRun } from "./engine-run.js";
import { prepareProgram } from "./prepare-program.js";
import type { LifecycleOptions, PlannedStep, PreviewReport } from "./types.js";

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
      configWritten: Boolean(run.configWritten),
      details,
    };
  } catch (err) {
    throw await failure(run, "preview", err, plan, cancelledBy(options));
  } finally {
    await finishRun(run);
  }
}
