/**
 * `cto preview --diff` as printed (cli/lifecycle/render.ts): old → new values of each changed
 * input, secret values as [secret]. The engine sends a secret input in its events as an object
 * carrying Pulumi's secret signature key (the value blinded to "[secret]" by the engine, see
 * convertStepEventStateMetadata in pulumi/pkg/backend/display/events.go); the renderer must show
 * it as [secret], never as that object. The real engine's events are checked by the e2e scenario 1
 * (`cto preview --diff` after `cto secrets set`).
 */
import assert from "node:assert/strict";
import { renderPreview } from "../../cli/lifecycle/render.js";
import type { PlannedStep, PreviewReport } from "../../stacks/lifecycle/index.js";

const SIG = "4dabf18193072939515e22adb298388d";
/** A secret input value exactly as an engine event carries it. */
const engineSecret = { [SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };

const urn = "urn:pulumi:dev::cto::cto:controller:Controller$kubernetes:core/v1:Secret::controller-agent-api-keys";
const step: PlannedStep = {
  urn,
  component: "controller",
  resource: "controller-agent-api-keys",
  type: "kubernetes:core/v1:Secret",
  label: "secret",
  op: "update",
  diffs: ["stringData", "metadata"],
  replaceKeys: [],
  stateful: false,
};
const report: PreviewReport = {
  environment: "dev",
  changes: { update: 1 },
  total: 1,
  steps: [step],
  stateful: [],
  warnings: [],
  logFile: "/tmp/x.log",
  configWritten: false,
  details: new Map([
    [
      urn,
      {
        olds: { stringData: engineSecret, metadata: { name: "a" } },
        news: { stringData: engineSecret, metadata: { name: "b" } },
      },
    ],
  ]),
};

describe("cto preview --diff rendering (cli/lifecycle/render.ts)", () => {
  it("shows a changed secret input as [secret] → [secret], plain inputs as JSON", () => {
    const lines = renderPreview(report, { diff: true, details: report.details });
    assert.ok(lines.includes("        stringData: [secret] → [secret]"), lines.join("\n"));
    assert.ok(lines.includes('        metadata: {"name":"a"} → {"name":"b"}'), lines.join("\n"));
    assert.ok(!lines.join("\n").includes(SIG), "the secret signature object is never printed");
  });

  it("a secret added or removed shows (none) on the other side", () => {
    const added = { ...report, details: new Map([[urn, { olds: {}, news: { stringData: engineSecret } }]]) };
    const lines = renderPreview(added, { diff: true, details: added.details });
    assert.ok(lines.includes("        stringData: (none) → [secret]"), lines.join("\n"));
  });

  it("without --diff, only the names of the changed inputs", () => {
    const lines = renderPreview(report, { diff: false, details: report.details });
    assert.match(lines.join("\n"), /~ update\s+secret\s+controller-agent-api-keys\s+\(stringData, metadata\)/);
    assert.ok(!lines.some((l) => l.includes("→")), lines.join("\n"));
  });
});
