/**
 * Build step (`npm run build`, after tsc): records what `cto --help` and every `cto COMMAND --help`
 * print, so that cli/bin.ts can serve them without loading commander (see cli/help-cache.ts).
 *
 *   node dist/scripts/help-texts.js [--out FILE] [--packages-from DIR]
 *
 * `--out`: default `cli/help-texts.json` of the build the script belongs to. `--packages-from`: for
 * a build staged outside the repository (scripts/release/npm-package.ts), resolve the packages the
 * program imports (commander) from DIR when the build's own location has no `node_modules`; the
 * texts record them by package name, so the installed package checks its own copy.
 *
 * Each text comes from the real program: `main()` of cli/main.ts runs the request with stdout
 * captured and not a terminal (commander's help width 80). A request is recorded only when it
 * exited 0, printed nothing on stderr, ran no command action (a hook makes every action throw,
 * so a flag that is not the help option can never do work here) and printed the same in another
 * environment and working directory (help that read either could not be checked later). The
 * modules the program loaded meanwhile are recorded through a module resolve hook, with their size
 * and CRC-32. Not detectable here: help built from a data file's contents (none is today; its file
 * would have to join the fingerprints).
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
// A namespace import: `registerHooks` exists from Node 22.15 on (cto runs on 22.12).
import * as nodeModule from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CommandUnknownOpts as Command } from "@commander-js/extra-typings";
import {
  DEFAULT_HELP_WIDTH,
  HELP_TEXTS_FORMAT,
  buildRoot,
  cachedHelp,
  fingerprint,
  helpTextsFile,
  inputFile,
  type HelpInput,
  type HelpTexts,
} from "../cli/help-cache.js";

const HELP_FLAGS = ["--help", "-h"];

/** Every command below `cmd`, with the names leading to it. */
function commandPaths(cmd: Command, prefix: string[] = []): { path: string[]; command: Command }[] {
  return cmd.commands.flatMap((sub) => {
    const p = [...prefix, sub.name()];
    return [{ path: p, command: sub }, ...commandPaths(sub, p)];
  });
}

/**
 * Makes every command action throw before it runs: rendering help must never run a command. A
 * hook, not replaced actions: giving a command group an action would drop commander's implicit
 * `help` subcommand from its help.
 */
function disarm(program: Command): void {
  program.hook("preAction", (_program, action) => {
    throw new Error(`help-texts: \`${action.name()}\` would have run its action`);
  });
}

/** The input a loaded module's file is: cto's own (below `root`) or a package's. */
function inputOf(file: string, root: string): Omit<HelpInput, "size" | "crc32"> {
  const rel = path.relative(root, file);
  if (!rel.startsWith("..") && !path.isAbsolute(rel)) return { path: rel.split(path.sep).join("/") };
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 2 >= parts.length) throw new Error(`help-texts: ${file} is neither cto's nor a package's module`);
  const scoped = parts[at + 1]!.startsWith("@");
  const name = parts.slice(at + 1, at + (scoped ? 3 : 2)).join("/");
  return { package: name, path: parts.slice(at + (scoped ? 3 : 2)).join("/") };
}

/** What cto prints for `args`, with stdout and stderr captured and stdout not a terminal. */
async function render(
  main: (argv: string[], program?: Command) => Promise<number>,
  program: Command,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout;
  const err = process.stderr;
  const saved = { out: out.write, err: err.write, isTTY: Object.getOwnPropertyDescriptor(out, "isTTY") };
  let stdout = "";
  let stderr = "";
  out.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof out.write;
  err.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof err.write;
  Object.defineProperty(out, "isTTY", { value: false, configurable: true, writable: true });
  try {
    const code = await main(["node", "cto", ...args], program);
    return { code, stdout, stderr };
  } finally {
    out.write = saved.out;
    err.write = saved.err;
    if (saved.isTTY) Object.defineProperty(out, "isTTY", saved.isTTY);
    else delete (out as { isTTY?: boolean }).isTTY;
  }
}

/**
 * Runs `step` with other values for what a command could read while registering (cto's variables,
 * HOME, CI, colour and width variables, the working directory), then restores them.
 */
async function inAnotherEnvironment<T>(step: () => Promise<T>): Promise<T> {
  const saved = { env: process.env, cwd: process.cwd() };
  const scratch = mkdtempSync(path.join(tmpdir(), "cto-help-texts-"));
  process.env = {
    ...saved.env,
    HOME: scratch,
    CTO_HOME: path.join(scratch, ".cto"),
    CTO_CONFIG: path.join(scratch, "other.yaml"),
    CI: "true",
    NO_COLOR: "1",
    COLUMNS: "43",
  };
  process.chdir(scratch);
  try {
    return await step();
  } finally {
    process.chdir(saved.cwd);
    process.env = saved.env;
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function generate(outFile: string, packagesFrom: string | undefined): Promise<void> {
  const { registerHooks } = nodeModule;
  if (typeof registerHooks !== "function") {
    rmSync(outFile, { force: true });
    console.log(
      `help-texts: skipped (Node ${process.versions.node} has no module.registerHooks); cto renders help live`,
    );
    return;
  }
  const packagesFromUrl = packagesFrom === undefined ? undefined : pathToFileURL(path.join(packagesFrom, "/")).href;
  const loaded = new Set<string>();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      let result: ReturnType<typeof nextResolve>;
      try {
        result = nextResolve(specifier, context);
      } catch (err) {
        const bare = !/^(\.|\/|[a-z]+:)/.test(specifier);
        if (!bare || packagesFromUrl === undefined || (err as { code?: string }).code !== "ERR_MODULE_NOT_FOUND")
          throw err;
        result = nextResolve(specifier, { ...context, parentURL: packagesFromUrl });
      }
      if (result.url.startsWith("file:")) loaded.add(fileURLToPath(result.url));
      return result;
    },
  });
  const { buildProgram, main } = await import("../cli/main.js");

  const requests: string[][] = [[], ...HELP_FLAGS.map((f) => [f])];
  for (const { path: p } of commandPaths(buildProgram())) requests.push(...HELP_FLAGS.map((f) => [...p, f]));

  const texts: string[] = [];
  const index: Record<string, number> = {};
  const skipped: string[] = [];
  for (const args of requests) {
    const program = buildProgram();
    disarm(program);
    const r = await render(main, program, args);
    if (r.code !== 0 || r.stderr !== "" || r.stdout === "" || r.stdout.includes("\u001b")) {
      skipped.push(`cto ${args.join(" ")} (exit ${r.code}${r.stderr ? `, stderr: ${r.stderr.split("\n")[0]}` : ""})`);
      continue;
    }
    // Help must follow from the modules alone (they are all the texts are checked against).
    const elsewhere = await inAnotherEnvironment(() => {
      const again = buildProgram();
      disarm(again);
      return render(main, again, args);
    });
    if (elsewhere.stdout !== r.stdout || elsewhere.code !== 0) {
      skipped.push(`cto ${args.join(" ")} (its help depends on the environment or working directory)`);
      continue;
    }
    let at = texts.indexOf(r.stdout);
    if (at < 0) at = texts.push(r.stdout) - 1;
    index[JSON.stringify(args)] = at;
  }

  const root = buildRoot();
  const inputs: HelpInput[] = [...loaded].sort().map((file) => {
    const input = inputOf(file, root);
    // The runtime must find the very same file, or it would check another one.
    const found = inputFile(input, root, input.package !== undefined ? packagesFromUrl : undefined);
    if (found !== file) throw new Error(`help-texts: ${file} would be looked up as ${found ?? "nothing"}`);
    return { ...input, ...fingerprint(readFileSync(file)) };
  });
  const result: HelpTexts = { format: HELP_TEXTS_FORMAT, width: DEFAULT_HELP_WIDTH, inputs, requests: index, texts };
  const temporary = `${outFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(result));
  renameSync(temporary, outFile);

  // Read back the way cto does: every recorded request is served (where cto finds the packages).
  const env = { CTO_HELP_TEXTS: outFile };
  for (const [key, at] of packagesFrom === undefined ? Object.entries(index) : []) {
    const args = JSON.parse(key) as string[];
    if (cachedHelp(args, { env, stdout: { isTTY: false } }) !== texts[at]) {
      throw new Error(`help-texts: ${outFile} does not serve cto ${args.join(" ")}`);
    }
  }
  const rel = path.relative(process.cwd(), outFile);
  console.log(
    `help-texts: ${Object.keys(index).length} help requests (${texts.length} texts), ${inputs.length} modules → ${rel}`,
  );
  for (const line of skipped) console.log(`help-texts: not recorded, renders live: ${line}`);
}

/** The value of `--name VALUE`, if given. */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (!value) throw new Error(`help-texts: ${name} needs a value`);
  return value;
}

const out = option("--out");
const packagesFrom = option("--packages-from");
await generate(
  path.resolve(out ?? helpTextsFile({})),
  packagesFrom === undefined ? undefined : path.resolve(packagesFrom),
);
