/**
 * The init wizard's question model with a scripted prompter: the prompt budget (at most 10, the
 * PRD's metric), flags suppressing prompts, and nothing written on cancel.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cancelled, type Prompter } from "../../cli/init/gather.js";
import { MAX_PROMPTS } from "../../cli/init/questions.js";
import { runInit, type InitIO } from "../../cli/init/run.js";

const CHOICES = {
  profiles: [{ value: "minimal" }, { value: "standard" }, { value: "production" }],
  agents: [{ value: "rex" }, { value: "cleo" }],
};

/** Answers from a script, in order; records every prompt shown. */
function scripted(answers: (string | string[] | boolean | "CANCEL")[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = (message: string): string | string[] | boolean => {
    asked.push(message);
    const a = answers.shift();
    if (a === undefined) throw new Error(`no scripted answer for "${message}"`);
    if (a === "CANCEL") throw new Cancelled();
    return a;
  };
  return {
    asked,
    text: async (q) => next(q.message) as string,
    select: async (q) => next(q.message) as string,
    multiselect: async (q) => next(q.message) as string[],
    confirm: async (message) => next(message) as boolean,
  };
}

describe("cto init wizard model", () => {
  let dir: string;
  let ui: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cto-init-unit-"));
    ui = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function io(prompter: Prompter, validated: string[] = []): InitIO {
    return {
      cwd: dir,
      env: {},
      print: (l) => ui.push(l),
      terminal: true,
      choices: CHOICES,
      prompter: () => prompter,
      ui: { intro: () => {}, note: () => {}, outro: (t) => ui.push(t), cancel: (t) => ui.push(t) },
      validate: async (file) => {
        validated.push(readFileSync(file, "utf8"));
        return [];
      },
    };
  }

  it("shows at most 10 prompts even in the longest path (existing file, non-local registry)", async () => {
    writeFileSync(join(dir, "cto.yaml"), "# old\n");
    const p = scripted([
      true, // replace?
      "acme",
      "platform",
      "standard",
      "k3s",
      "agents.acme.example",
      "generic",
      "registry.acme.example:5000",
      ["rex", "cleo"],
      "oci://registry.acme.example/charts",
    ]);
    const validated: string[] = [];
    assert.equal(await runInit({}, io(p, validated)), 0);
    assert.equal(p.asked.length, 10);
    assert.ok(MAX_PROMPTS <= 10, `MAX_PROMPTS is ${MAX_PROMPTS}`);
    assert.equal(p.asked.length, MAX_PROMPTS);
    const written = readFileSync(join(dir, "cto.yaml"), "utf8");
    assert.equal(validated[0], written, "the file put in place is the one that was validated");
    assert.match(written, /url: registry\.acme\.example:5000/);
    assert.match(written, /password: \$\{CTO_REGISTRY_PASSWORD\}/);
  });

  it("asks only what no flag answered", async () => {
    const p = scripted(["kind", "", ["rex"]]);
    const flags = {
      org: "acme",
      repo: "platform",
      profile: "minimal",
      registry: "local",
      chartRepo: "https://c.acme.example",
    };
    assert.equal(await runInit(flags, io(p)), 0);
    assert.deepEqual(p.asked, [
      "Where does the platform run?",
      "Public domain for the platform (leave empty for none)",
      "Agents to enable",
    ]);
  });

  it("a cancel writes nothing and ends with 'Operation cancelled.' (exit 0)", async () => {
    const p = scripted(["acme", "CANCEL"]);
    assert.equal(await runInit({}, io(p)), 0);
    assert.deepEqual(ui, ["Operation cancelled."]);
    assert.equal(existsSync(join(dir, "cto.yaml")), false);
  });

  it("declining to replace an existing file keeps it and asks nothing else", async () => {
    writeFileSync(join(dir, "cto.yaml"), "# old\n");
    const p = scripted([false]);
    assert.equal(await runInit({}, io(p)), 0);
    assert.equal(p.asked.length, 1);
    assert.equal(readFileSync(join(dir, "cto.yaml"), "utf8"), "# old\n");
  });
});
