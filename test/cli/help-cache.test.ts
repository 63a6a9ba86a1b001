/**
 * `cto --help` and `cto COMMAND --help` from the texts the build recorded (cli/help-cache.ts,
 * scripts/help-texts.ts), and help remembered at other widths under CTO_HOME: byte for byte what
 * commander prints, for every command, and never a text recorded from anything other than the
 * modules cto would load now.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HelpTexts } from "../../cli/help-cache.js";
import { packageRoot } from "../../config/paths.js";
import { Sandbox, type CtoResult } from "../helpers/cli.js";

const GENERATOR = fileURLToPath(new URL("../../scripts/help-texts.js", import.meta.url));

/** Command names in a help text's `Commands:` section (commander's own `help` left out). */
function listedCommands(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1];
  if (section === undefined) return [];
  const lines = section.split(/\n(?=\S)/)[0]!.split("\n");
  return lines
    .map((l) => /^ {2}([a-z][a-z0-9-]*)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && c !== "help");
}

describe("cto help from the texts the build recorded", function () {
  this.timeout(15 * 60_000);
  let box: Sandbox;
  let file: string;
  let recorded: HelpTexts;
  let requests: string[][];

  /** cto with the recorded texts in `textsFile` (default: the ones generated for this test). */
  const fast = (args: string[], textsFile = file): Promise<CtoResult> =>
    box.run(args, { env: { CTO_HELP_TEXTS: textsFile } });
  /** cto rendering help with commander, as without recorded texts. */
  const live = (args: string[]): Promise<CtoResult> =>
    box.run(args, { env: { CTO_HELP_TEXTS: file, CTO_NO_HELP_CACHE: "1" } });

  before(() => {
    box = new Sandbox("cto-help-");
    file = join(box.root, "help-texts.json");
    // The build step itself, into a file of the test's own (the build's copy stays untouched).
    const r = spawnSync(process.execPath, [GENERATOR, "--out", file], { encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    recorded = JSON.parse(readFileSync(file, "utf8")) as HelpTexts;
    requests = Object.keys(recorded.requests).map((k) => JSON.parse(k) as string[]);
  });
  after(() => box.remove());

  /** The help cto remembers at width 80 (a pipe) in the sandbox's CTO_HOME. */
  const remembered = (): string => join(box.env.CTO_HOME as string, "cache", "help", "width-80.json");
  const forget = (): void =>
    rmSync(join(box.env.CTO_HOME as string, "cache", "help"), { recursive: true, force: true });
  /** The build's fingerprints with one of them changed. */
  const changedInputs = (): HelpTexts["inputs"] =>
    recorded.inputs.map((input, i) => (i === 0 ? { ...input, crc32: input.crc32 ^ 1 } : input));

  /** A copy of the recorded texts, changed by `edit`, in a file of its own; every text replaced by a marker. */
  function variant(name: string, edit: (t: HelpTexts) => void): string {
    const copy = structuredClone(recorded);
    copy.texts = copy.texts.map((_, i) => `RECORDED TEXT ${i}\n`);
    edit(copy);
    const path = join(box.root, `${name}.json`);
    writeFileSync(path, JSON.stringify(copy));
    return path;
  }

  it("records cto, cto -h/--help, and -h/--help of every command and subcommand the help lists", async () => {
    const has = (args: string[]): boolean => requests.some((r) => JSON.stringify(r) === JSON.stringify(args));
    for (const args of [[], ["--help"], ["-h"]]) assert.ok(has(args), `cto ${args.join(" ")} not recorded`);
    const pending: string[][] = [[]];
    let commands = 0;
    while (pending.length > 0) {
      const path = pending.shift()!;
      const help = await live([...path, "--help"]);
      assert.equal(help.code, 0, help.stderr);
      for (const name of listedCommands(help.stdout)) {
        const sub = [...path, name];
        for (const flag of ["--help", "-h"])
          assert.ok(has([...sub, flag]), `cto ${sub.join(" ")} ${flag} not recorded`);
        pending.push(sub);
        commands++;
      }
    }
    assert.ok(commands >= 18, `only ${commands} commands found in the help`);
    assert.equal(requests.length, 3 + 2 * commands, "recorded requests beyond the listed commands");
  });

  it("prints, for every recorded request, exactly what commander prints (stdout, stderr, exit code)", async () => {
    for (const args of requests) {
      const [cached, rendered] = [await fast(args), await live(args)];
      const what = `cto ${args.join(" ")}`;
      assert.equal(rendered.code, 0, `${what}: ${rendered.stderr}`);
      assert.equal(cached.stdout, rendered.stdout, what);
      assert.equal(cached.stderr, rendered.stderr, what);
      assert.equal(cached.code, rendered.code, what);
    }
  });

  it("prints the recorded text itself, unless CTO_NO_HELP_CACHE=1", async () => {
    const marked = variant("marked", () => {});
    const top = recorded.requests[JSON.stringify(["--help"])]!;
    const show = recorded.requests[JSON.stringify(["config", "show", "-h"])]!;
    assert.equal((await fast(["--help"], marked)).stdout, `RECORDED TEXT ${top}\n`);
    assert.equal((await fast([], marked)).stdout, `RECORDED TEXT ${top}\n`);
    assert.equal((await fast(["config", "show", "-h"], marked)).stdout, `RECORDED TEXT ${show}\n`);
    const off = await box.run(["--help"], { env: { CTO_HELP_TEXTS: marked, CTO_NO_HELP_CACHE: "1" } });
    assert.equal(off.stdout, (await live(["--help"])).stdout);
    assert.match(off.stdout, /^Usage: cto /);
  });

  it("renders with commander when the recorded texts do not match this build", async () => {
    const ownModule = (t: HelpTexts) =>
      t.inputs.find((i) => i.package === undefined && i.path === "cli/commands/up.js")!;
    const commander = (t: HelpTexts) => t.inputs.find((i) => i.package === "commander" && i.path === "lib/help.js")!;
    const cases: [string, string][] = [
      ["a command module changed since (CRC-32)", variant("crc", (t) => void (ownModule(t).crc32 ^= 1))],
      ["a command module of another size", variant("size", (t) => void (ownModule(t).size += 1))],
      ["commander changed since", variant("commander", (t) => void (commander(t).crc32 ^= 1))],
      ["a module that is gone", variant("gone", (t) => void (ownModule(t).path = "cli/commands/removed.js"))],
      ["a package that is not installed", variant("package", (t) => void (commander(t).package = "no-such-pkg"))],
      ["another file format", variant("format", (t) => void (t.format += 1))],
      ["another help width", variant("width", (t) => void (t.width = 100))],
      ["no modules recorded", variant("inputs", (t) => void (t.inputs = []))],
      ["a truncated file", join(box.root, "truncated.json")],
      ["no file", join(box.root, "missing.json")],
    ];
    writeFileSync(cases[8]![1], readFileSync(file, "utf8").slice(0, 1000));
    for (const args of [["--help"], ["config", "show", "--help"]]) {
      const reference = await live(args);
      for (const [what, textsFile] of cases) {
        forget(); // not served from what an earlier case remembered (see below)
        const r = await fast(args, textsFile);
        assert.equal(r.stdout, reference.stdout, `${what}: cto ${args.join(" ")}`);
        assert.equal(r.stderr, "", what);
        assert.equal(r.code, 0, what);
      }
    }
  });

  it("remembers help rendered at a width the build did not record, under CTO_HOME, for the next time", async () => {
    // The build's texts say width 100; stdout is a pipe here (width 80), so the program renders.
    const other = variant("width-100", (t) => void (t.width = 100));
    const args = ["up", "--help"];
    const reference = await live(args);
    forget();
    const first = await fast(args, other);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, reference.stdout);
    const kept = JSON.parse(readFileSync(remembered(), "utf8")) as HelpTexts;
    assert.equal(kept.width, 80);
    assert.deepEqual(kept.inputs, recorded.inputs, "checked against the build's fingerprints");
    assert.equal(kept.texts[kept.requests[JSON.stringify(args)]!], reference.stdout);
    assert.equal(statSync(box.env.CTO_HOME as string).mode & 0o777, 0o700);

    // From now on the remembered text is what is printed (marked to tell it apart) …
    const marked = { ...kept, texts: kept.texts.map((_, i) => `REMEMBERED ${i}\n`) };
    writeFileSync(remembered(), JSON.stringify(marked));
    const index = kept.requests[JSON.stringify(args)]!;
    assert.equal((await fast(args, other)).stdout, `REMEMBERED ${index}\n`);
    // … unless CTO_NO_HELP_CACHE=1, or a module changed since it was remembered.
    const off = await box.run(args, { env: { CTO_HELP_TEXTS: other, CTO_NO_HELP_CACHE: "1" } });
    assert.equal(off.stdout, reference.stdout);
    writeFileSync(remembered(), JSON.stringify({ ...marked, inputs: changedInputs() }));
    assert.equal((await fast(args, other)).stdout, reference.stdout);
  });

  it("remembers nothing when the build's own texts do not match its modules", async () => {
    const stale = variant("stale-100", (t) => {
      t.width = 100;
      t.inputs[0]!.crc32 ^= 1;
    });
    forget();
    const r = await fast(["--help"], stale);
    assert.equal(r.stdout, (await live(["--help"])).stdout);
    assert.equal(existsSync(remembered()), false);
  });

  it("is what npm run build writes next to the CLI", () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    assert.match(manifest.scripts.build!, /&& node dist\/scripts\/help-texts\.js$/);
  });
});
