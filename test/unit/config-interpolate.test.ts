import { strict as assert } from "node:assert";
import { interpolateString, retypePlainScalar } from "../../config/interpolate.js";

describe("config: ${VAR} interpolation", () => {
  const env = { APP_ID: "123", EMPTY: "", NAME: "acme" };
  const cases: Array<[string, string, { value: string; missing?: string[]; malformed?: string[] }]> = [
    ["plain text is unchanged", "registry.acme.example", { value: "registry.acme.example" }],
    ["a set variable", "${APP_ID}", { value: "123" }],
    ["several in one value", "${NAME}-${APP_ID}", { value: "acme-123" }],
    ["default when unset", "${NOPE:-fallback}", { value: "fallback" }],
    ["default when empty (as in sh)", "${EMPTY:-fallback}", { value: "fallback" }],
    ["set value wins over default", "${NAME:-other}", { value: "acme" }],
    ["empty default", "x${NOPE:-}y", { value: "xy" }],
    [
      "default may contain ':' and '/'",
      "${NOPE:-oci://r.acme.example:5000/c}",
      { value: "oci://r.acme.example:5000/c" },
    ],
    ["$${ is a literal ${", "$${APP_ID}", { value: "${APP_ID}" }],
    ["a lone $ stays", "cost $5", { value: "cost $5" }],
    ["unset without default is reported once", "${NOPE}/${NOPE}", { value: "${NOPE}/${NOPE}", missing: ["NOPE"] }],
    ["empty set variable is a value", "[${EMPTY}]", { value: "[]" }],
    ["malformed name", "${1BAD}", { value: "${1BAD}", malformed: ["${1BAD}"] }],
    ["unclosed reference", "x${APP_ID", { value: "x${APP_ID", malformed: ["${APP_ID"] }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const r = interpolateString(input, env);
      assert.equal(r.value, expected.value);
      assert.deepEqual(r.missing, expected.missing ?? []);
      assert.deepEqual(r.malformed, expected.malformed ?? []);
    });
  }

  it("marks whether a reference was present", () => {
    assert.equal(interpolateString("plain", env).interpolated, false);
    assert.equal(interpolateString("${NAME}", env).interpolated, true);
  });

  it("retypes unquoted results like YAML would", () => {
    assert.equal(retypePlainScalar("4"), 4);
    assert.equal(retypePlainScalar("0.5"), 0.5);
    assert.equal(retypePlainScalar("true"), true);
    assert.equal(retypePlainScalar("False"), false);
    assert.equal(retypePlainScalar(""), null);
    assert.equal(retypePlainScalar("8Gi"), "8Gi");
    assert.equal(retypePlainScalar("yes"), "yes");
  });
});
