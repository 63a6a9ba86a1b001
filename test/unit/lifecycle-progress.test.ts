import assert from "node:assert/strict";
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation/index.js";
import {
  describeChanges,
  kindLabel,
  ProgressModel,
  renderFinalTable,
  renderProgressLine,
  totalFromSummary,
} from "../../stacks/progress.js";

const STACK = "urn:pulumi:dev::acme::pulumi:pulumi:Stack::acme-dev";
const ARGO = "urn:pulumi:dev::acme::cto:platform:ArgoCd::argo-cd";
const RELEASE = "urn:pulumi:dev::acme::cto:platform:ArgoCd$kubernetes:helm.sh/v3:Release::argocd-release";
const NS = "urn:pulumi:dev::acme::cto:platform:ArgoCd$kubernetes:core/v1:Namespace::argocd-namespace";
const CM = "urn:pulumi:dev::acme::kubernetes:core/v1:ConfigMap::monitoring-settings";

let seq = 0;
const meta = (op: OpType, urn: string, parent?: string) => ({
  op,
  urn,
  type: urn.split("::")[2]?.split("$").pop() ?? "",
  provider: "",
  new: parent ? { type: "", urn, id: "", parent, inputs: {}, outputs: {}, provider: "" } : undefined,
});
const pre = (op: OpType, urn: string, parent?: string): EngineEvent => ({
  sequence: seq++,
  timestamp: 0,
  resourcePreEvent: { metadata: meta(op, urn, parent) },
});
const out = (op: OpType, urn: string): EngineEvent => ({
  sequence: seq++,
  timestamp: 0,
  resOutputsEvent: { metadata: meta(op, urn) },
});

describe("progress model", () => {
  it("total from the preview counts everything but unchanged", () => {
    assert.equal(totalFromSummary({ create: 3, update: 1, same: 7, replace: 1 }), 5);
    assert.equal(totalFromSummary(undefined), 0);
  });

  it("numbers steps, attributes children to their component, times them", () => {
    let t = 0;
    const m = new ProgressModel({ total: 3, now: () => t, components: ["argo-cd", "monitoring"] });
    const lines: string[] = [];
    const feed = (e: EngineEvent) => m.handle(e).forEach((p) => lines.push(renderProgressLine(p) ?? ""));
    feed(pre("create", STACK));
    feed(pre("create", ARGO, STACK));
    feed(pre("create", NS, ARGO));
    t += 2000;
    feed(out("create", NS));
    feed(pre("create", RELEASE, ARGO));
    t += 35_000;
    feed(out("create", RELEASE));
    feed(pre("same", CM, STACK)); // unchanged: not counted, not shown
    feed(out("create", ARGO));
    feed(out("create", STACK));
    assert.deepEqual(lines.slice(0, 6), [
      "[1/3] acme-dev  stack  creating",
      "[2/3] argo-cd  argo cd  creating",
      "[3/3] argo-cd  namespace  creating",
      "[3/3] argo-cd  namespace  created  2s",
      "[4/4] argo-cd  helm release  creating",
      "[4/4] argo-cd  helm release  created  35s",
    ]);
    assert.equal(m.total, 4, "grows when the preview under-counted");
    const table = renderFinalTable(m.rowsInOrder());
    assert.match(table, /argo-cd\s+helm release\s+argocd-release\s+create\s+35s\s+ok/);
    assert.equal(m.rowsInOrder().length, 4);
  });

  it("a replacement's sub-steps share one number and the headline op", () => {
    const m = new ProgressModel({ total: 1, now: () => 0, components: ["monitoring"] });
    const shown = [
      ...m.handle(pre("create-replacement", CM)),
      ...m.handle(out("create-replacement", CM)),
      ...m.handle(pre("replace", CM)),
      ...m.handle(out("replace", CM)),
      ...m.handle(pre("delete-replaced", CM)),
      ...m.handle(out("delete-replaced", CM)),
    ];
    assert.ok(shown.every((e) => "index" in e && e.index === 1));
    assert.equal(m.total, 1);
    assert.equal(m.rowsInOrder()[0]?.component, "monitoring");
    assert.equal(m.rowsInOrder()[0]?.op, "replace");
  });

  it("failures show as they happen, with the engine's message and no colour codes", () => {
    let t = 0;
    const m = new ProgressModel({ total: 2, now: () => t, components: ["argo-cd"] });
    m.handle(pre("create", RELEASE));
    t += 12_000;
    const diag = m.handle({
      sequence: seq++,
      timestamp: 0,
      diagnosticEvent: {
        urn: RELEASE,
        message: '\u001b[31mchart "argo-cd" version "0.0.1" not found\u001b[0m\n',
        color: "raw",
        severity: "error",
      },
    });
    assert.equal(renderProgressLine(diag[0]!), 'error (argo-cd): chart "argo-cd" version "0.0.1" not found');
    const failed = m.handle({
      sequence: seq++,
      timestamp: 0,
      resOpFailedEvent: { metadata: meta("create", RELEASE), status: 1, steps: 1 },
    });
    assert.equal(
      renderProgressLine(failed[0]!),
      '[1/2] argo-cd  helm release  FAILED after 12s: chart "argo-cd" version "0.0.1" not found',
    );
    assert.equal(m.failures().length, 1);
    assert.match(renderFinalTable(m.rowsInOrder()), /failed: chart "argo-cd"/);
  });

  it("without a preview (cto up --yes: one engine pass) the total stays unknown: [n/?], total 0", () => {
    const m = new ProgressModel({ now: () => 0, components: ["argo-cd"] });
    const shown = [...m.handle(pre("create", NS, ARGO)), ...m.handle(pre("create", RELEASE, ARGO))];
    assert.deepEqual(
      shown.map((e) => renderProgressLine(e)),
      ["[1/?] argo-cd  namespace  creating", "[2/?] argo-cd  helm release  creating"],
    );
    assert.ok(shown.every((e) => "total" in e && e.total === 0));
    assert.equal(m.total, 0);
  });

  it("planning (preview) events are not counted as work", () => {
    const m = new ProgressModel({ now: () => 0 });
    assert.deepEqual(
      m.handle({ sequence: 1, timestamp: 0, resourcePreEvent: { metadata: meta("create", CM), planning: true } }),
      [],
    );
    assert.equal(m.rowsInOrder().length, 0);
  });

  it("kind labels and change descriptions read like English", () => {
    assert.equal(kindLabel("kubernetes:helm.sh/v3:Release"), "helm release");
    assert.equal(kindLabel("kubernetes:core/v1:ConfigMap"), "config map");
    assert.equal(
      kindLabel("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"),
      "custom resource definition",
    );
    assert.equal(kindLabel("pulumi:providers:kubernetes"), "kubernetes provider");
    assert.equal(describeChanges({ create: 2, update: 1, same: 5 }, "future"), "2 to create, 1 to update, 5 unchanged");
    assert.equal(describeChanges({ same: 5 }, "past"), "no changes (5 unchanged)");
  });
});
