/**
 * Stack outputs as `cto up`, `cto refresh` and `cto status` report them (stacks/lifecycle/engine-run.ts
 * maskOutputs, then cli/lifecycle/render.ts printResult): an output the engine marks secret is
 * printed as [secret], in the table and in --json; the others as the engine gave them.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { printResult } from "../../cli/lifecycle/render.js";
import type { LifecycleIO } from "../../cli/lifecycle/session.js";
import { maskOutputs } from "../../stacks/lifecycle/engine-run.js";
import type { UpdateReport } from "../../stacks/lifecycle/index.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;

/** Outputs as the Automation API hands them over (`stack.outputs()`, an update's `outputs`). */
const engineOutputs = {
  kubeconfig: { value: "apiVersion: v1", secret: false },
  appWebhookSecrets: { value: { rex: CANARY }, secret: true },
  adminPassword: { value: CANARY, secret: true },
};

function printed(json: boolean): string {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) } as unknown as LifecycleIO;
  const report: UpdateReport = {
    environment: "dev",
    operation: "up",
    changes: { same: 3 },
    rows: [],
    seconds: 1,
    outputs: maskOutputs(engineOutputs),
    logFile: "/tmp/x.log",
    warnings: [],
  };
  printResult(report, io, json);
  return lines.join("\n");
}

describe("stack outputs as reported (maskOutputs)", () => {
  it("replaces each secret output by [secret] and keeps the others as given", () => {
    assert.deepEqual(maskOutputs(engineOutputs), {
      kubeconfig: "apiVersion: v1",
      appWebhookSecrets: "[secret]",
      adminPassword: "[secret]",
    });
  });

  it("cto up's result prints no secret output, in the table or in --json", () => {
    for (const json of [false, true]) {
      const text = printed(json);
      assert.ok(!text.includes(CANARY), `a secret output was printed (json: ${json}):\n${text}`);
      assert.match(text, /adminPassword/);
      assert.match(text, /\[secret\]/);
    }
  });
});
