/**
 * The changes an engine run announces, one `PlannedStep` per resource: from a preview's planning
 * events, or from an update's own step events when it ran without a preview first (`cto up --yes`).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { Plan } from "../../profiles/plan.js";
import { isDefaultProvider, kindLabel, parseUrn, type ProgressModel } from "../progress.js";
import { changedKeys, isStatefulChange } from "./changes.js";
import type { PlannedStep, PreviewReport } from "./types.js";

export class StepCollector {
  private readonly steps: PlannedStep[] = [];
  readonly details: PreviewReport["details"] = new Map();
  private readonly categories: Map<string, string>;

  /** `planning`: take the preview's events (true) or the update's (false). */
  constructor(
    private readonly model: ProgressModel,
    plan: Plan,
    private readonly planning: boolean,
  ) {
    this.categories = new Map(plan.components.map((c) => [c.name, c.category]));
  }

  /** Feed every event, after the progress model has seen it (it knows the resource's component). */
  handle(e: EngineEvent): void {
    const pre = e.resourcePreEvent;
    if (!pre || Boolean(pre.planning) !== this.planning) return;
    const m = pre.metadata;
    if (m.op === "same" || m.op === "read" || isDefaultProvider(m.urn)) return;
    const component = this.model.componentOf(m.urn);
    const type = m.type || parseUrn(m.urn).type;
    const diffs = m.diffs && m.diffs.length > 0 ? m.diffs : changedKeys(m.old?.inputs, m.new?.inputs);
    const pick = (o?: Record<string, unknown>) => Object.fromEntries(diffs.map((k) => [k, o?.[k]]));
    this.details.set(m.urn, { olds: pick(m.old?.inputs), news: pick(m.new?.inputs) });
    this.steps.push({
      urn: m.urn,
      component,
      resource: parseUrn(m.urn).name,
      type,
      label: kindLabel(type),
      op: m.op,
      diffs,
      replaceKeys: m.keys ?? [],
      stateful: isStatefulChange(type, m.op, this.categories.get(component)),
    });
  }

  /** One entry per resource (a replacement announces several steps for one URN). */
  unique(): PlannedStep[] {
    const byUrn = new Map<string, PlannedStep>();
    for (const s of this.steps) {
      const prev = byUrn.get(s.urn);
      if (!prev || s.op === "replace") byUrn.set(s.urn, { ...s, stateful: s.stateful || Boolean(prev?.stateful) });
    }
    return [...byUrn.values()];
  }
}
