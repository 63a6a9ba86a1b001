import { strict as assert } from "node:assert";
import { ESLint } from "eslint";
import { repoRoot } from "../helpers/chart-repo.js";

/**
 * The layering rules in eslint.config.js (docs/architecture.md): `npm run lint` fails on an
 * upward import, static or dynamic, and on a component that reads files or the environment
 * outside the dynamic providers. The snippets are linted as if they were the named file; only the
 * layering rules run (the type-aware rules need the file on disk).
 */
describe("layering lint rules (eslint.config.js)", function () {
  this.timeout(60_000);
  let eslint: ESLint;

  before(() => {
    eslint = new ESLint({
      cwd: repoRoot(),
      overrideConfig: { languageOptions: { parserOptions: { project: null } } },
      ruleFilter: ({ ruleId }) => ruleId === "no-restricted-imports" || ruleId === "no-restricted-syntax",
    });
  });

  async function problems(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    assert.ok(result, `no lint result for ${filePath}`);
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  const upward: [file: string, code: string][] = [
    ["config/x.ts", `import { a } from "../profiles/plan.js";`],
    ["profiles/x.ts", `export { PLATFORM_LABEL } from "../components/labels.js";`],
    ["profiles/x.ts", `import type { Plan } from "../templates/render.js";`],
    ["templates/x.ts", `import { a } from "../components/labels.js";`],
    ["components/x.ts", `import { a } from "../stacks/program.js";`],
    ["components/cluster/x.ts", `import { a } from "../../cli/main.js";`],
    ["components/cluster/simulated.ts", `import { a } from "../../stacks/program.js";`],
    ["stacks/lifecycle/x.ts", `const m = await import("../../cli/main.js");`],
    ["stacks/x.ts", `import { a } from "../test/helpers/kwok.js";`],
    ["stacks/diagnose/x/y.ts", `import { a } from "../../../cli/main.js";`],
  ];
  for (const [file, code] of upward) {
    it(`refuses in ${file}: ${code}`, async () => {
      const found = await problems(file, code);
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0] ?? "",
        /may not import .*imports flow cli → stacks → components → templates → profiles → config/,
      );
    });
  }

  const allowed: [file: string, code: string][] = [
    ["cli/commands/x.ts", `const m = await import("../config/run.js");`], // the CLI's own cli/config/
    ["cli/x.ts", `import { a } from "../stacks/program.js";`],
    ["stacks/lifecycle/x.ts", `import { a } from "../diagnose/index.js";`],
    ["stacks/x.ts", `import { a } from "../components/index.js";`],
    ["components/x.ts", `import { a } from "../templates/render.js"; import { b } from "../profiles/plan.js";`],
    ["templates/x.ts", `import { a } from "../profiles/plan.js"; import { b } from "../config/errors.js";`],
    ["profiles/x.ts", `import { a } from "../config/errors.js";`],
    ["components/x.ts", `import path from "node:path"; import { createHash } from "node:crypto";`],
    ["components/cluster/simulated.ts", `const fs = await import("node:fs"); const p = process.env.PATH;`],
    ["components/cluster/kubeconfig-file.ts", `const fs = await import("node:fs/promises");`],
  ];
  for (const [file, code] of allowed) {
    it(`accepts in ${file}: ${code}`, async () => {
      assert.deepEqual(await problems(file, code), []);
    });
  }

  const host: [file: string, code: string][] = [
    ["components/x.ts", `import { readFileSync } from "node:fs";`],
    ["components/cluster/kind.ts", `const cp = await import("node:child_process");`],
    ["components/x.ts", `const home = process.env.HOME;`],
  ];
  for (const [file, code] of host) {
    it(`refuses host access in ${file}: ${code}`, async () => {
      const found = await problems(file, code);
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(found[0] ?? "", /components never read files, the environment or the network/);
    });
  }
});
