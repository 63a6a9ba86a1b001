/**
 * `cto … | head -1`: when the reader closes the pipe before cto has written everything, cto stops
 * writing and exits with its own code, quietly (no EPIPE stack trace).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { CTO_BIN, Sandbox } from "../helpers/cli.js";

/** Runs cto with its stdout (or stderr) pipe closed by the reader before cto writes to it. */
function runWithClosedPipe(
  box: Sandbox,
  args: string[],
  closed: "stdout" | "stderr",
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTO_BIN, ...args], {
      cwd: box.cwd,
      env: { ...box.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Closed at once: node needs tens of milliseconds before cto writes anything.
    child[closed].destroy();
    const open = closed === "stdout" ? child.stderr : child.stdout;
    let other = "";
    open.setEncoding("utf8").on("data", (d: string) => (other += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, other });
    });
  });
}

describe("cto writing to a closed pipe", function () {
  this.timeout(120_000);
  let box: Sandbox;
  before(() => (box = new Sandbox("cto-pipe-")));
  after(() => box.remove());

  const cases: [string, string[], NodeJS.ProcessEnv][] = [
    ["--version (fast path)", ["--version"], {}],
    ["--help", ["--help"], {}],
    ["--help rendered by commander", ["--help"], { CTO_NO_HELP_CACHE: "1" }],
    ["a subcommand's --help", ["config", "show", "--help"], { CTO_NO_HELP_CACHE: "1" }],
    ["a command's output (several writes)", ["profiles", "list"], {}],
  ];
  for (const [title, args, env] of cases) {
    it(`${title}: exit 0, nothing on stderr`, async () => {
      const r = await runWithClosedPipe(box, args, "stdout", env);
      assert.equal(r.other, "", "stderr");
      assert.equal(r.signal, null);
      assert.equal(r.code, 0);
    });
  }

  it("keeps a failing command's exit code when stderr is closed", async () => {
    const r = await runWithClosedPipe(box, ["doctr"], "stderr");
    assert.equal(r.other, "", "stdout");
    assert.equal(r.code, 2);
  });
});
