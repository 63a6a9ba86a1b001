/**
 * Platform labels never override a chart's own labels: no `app.kubernetes.io/part-of` or
 * `app.kubernetes.io/managed-by` reaches any chart's values, in any release × profile × feature
 * mix, and the charts that take extra labels get our own mark, `cto.dev/platform`.
 */
import { strict as assert } from "node:assert";
import { PLATFORM_LABEL } from "../../components/labels.js";
import { renderPlatform } from "../../templates/render.js";
import { planMatrix, type MatrixPlan } from "../helpers/plan-matrix.js";

/** Every key path in a values tree whose last key is one of `keys`. */
function pathsOf(tree: unknown, keys: Set<string>, at: string[] = []): string[] {
  if (Array.isArray(tree)) return tree.flatMap((v, i) => pathsOf(v, keys, [...at, String(i)]));
  if (tree === null || typeof tree !== "object") return [];
  return Object.entries(tree).flatMap(([k, v]) => [
    ...(keys.has(k) ? [[...at, k].join(".")] : []),
    ...pathsOf(v, keys, [...at, k]),
  ]);
}

/** Where each chart takes extra labels for all its objects (component → values path). */
const LABEL_VALUES: Record<string, string[]> = {
  "argo-cd": ["global", "additionalLabels"],
  "argo-workflows": ["commonLabels"],
  "argo-events": ["global", "additionalLabels"],
  monitoring: ["commonLabels"],
  controller: ["commonLabels"],
};

describe("chart values: platform labels", function () {
  this.timeout(120_000);
  let matrix: MatrixPlan[];
  let rendered: Map<MatrixPlan, ReturnType<typeof renderPlatform>>;
  before(async () => {
    matrix = await planMatrix();
    rendered = new Map(matrix.map((m) => [m, renderPlatform(m.plan, { env: {}, randomStore: {} })]));
  });

  it("no app.kubernetes.io/part-of or managed-by reaches a chart's values, in any release, profile or feature mix", () => {
    const forbidden = new Set(["app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"]);
    assert.ok(matrix.length > 50, `${matrix.length} plans`);
    for (const m of matrix) {
      const label = m.label;
      for (const [component, values] of Object.entries(rendered.get(m)!.helmValues)) {
        assert.deepEqual(pathsOf(values, forbidden), [], `${label}: ${component}`);
      }
    }
  });

  it("the charts that take extra labels get cto.dev/platform and nothing else", () => {
    for (const m of matrix) {
      const label = m.label;
      for (const [component, at] of Object.entries(LABEL_VALUES)) {
        const values = rendered.get(m)!.helmValues[component];
        if (!values) continue;
        const labels = at.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], values);
        assert.deepEqual(labels, { [PLATFORM_LABEL]: "acme-platform" }, `${label}: ${component} ${at.join(".")}`);
      }
    }
  });
});
