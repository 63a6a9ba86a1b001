/**
 * Every example a command's --help shows parses as that command's usage (no "unknown option",
 * "missing argument" or "unknown command": the exit-2 usage errors), and every release an example
 * names exists in profiles/versions.yaml. The examples are parsed with the real program, its
 * actions replaced by no-ops, so nothing runs.
 */
import assert from "node:assert/strict";
import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";
import { examplesOf } from "../../cli/context.js";
import { buildProgram } from "../../cli/main.js";
import { loadCatalog } from "../../profiles/load.js";

/** `cto up --env "my env"` → ["up", "--env", "my env"]; single and double quotes only. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

function silence(cmd: Command): void {
  cmd.action(() => undefined);
  cmd.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  for (const sub of cmd.commands) silence(sub);
}

describe("--help examples", () => {
  const all = examplesOf(buildProgram());

  /** The cto part of an example (`printenv X | cto secrets set X` → `cto secrets set X`). */
  const ctoPart = (line: string): string => line.slice(line.startsWith("cto ") ? 0 : line.lastIndexOf("| cto ") + 2);

  it("there are examples, each running cto", () => {
    assert.ok(all.length >= 20, `only ${all.length} examples`);
    for (const line of all) assert.match(ctoPart(line), /^cto /, line);
  });

  it("every example parses as its command's usage", async () => {
    for (const line of all) {
      const program = buildProgram();
      silence(program);
      try {
        await program.parseAsync(["node", "cto", ...words(ctoPart(line)).slice(1)]);
      } catch (err) {
        assert.fail(`${line}: ${(err as Error).message}`);
      }
    }
  });

  it("every release an example names exists", async () => {
    const catalog = await loadCatalog();
    for (const line of all) {
      const to = /^cto upgrade .*--to (\S+)/.exec(line)?.[1];
      if (to !== undefined) assert.ok(catalog.releases[to], `${line}: no release ${to} in versions.yaml`);
    }
  });
});
