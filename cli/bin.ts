#!/usr/bin/env node
/**
 * The `cto` executable. It does only what has to happen before the rest of the CLI loads, and
 * keeps `cto --help` / `cto --version` close to a bare `node` start (see bench/README.md):
 *
 * - `cto --version` (or `-V`) alone prints the version without loading commander and the command
 *   modules; the output is the same as commander's version option.
 * - `cto --help`, `cto -h`, `cto` alone and `cto COMMAND… --help` print the text the build recorded
 *   from the real program (`help-cache.ts`) when nothing it came from has changed and the help width
 *   matches; otherwise the program renders it, as for any command, and at a width the build did not
 *   record it is remembered under $CTO_HOME for the next time.
 * - A reader that closes the pipe early (`cto --help | head -1`) ends cto's output quietly, not with
 *   an EPIPE stack trace (`closed-output.ts`).
 * - Everything else turns on Node's compile cache (`compile-cache.ts`) and then imports the
 *   program (`main.ts`), so that it, commander and whatever a command loads later come from the
 *   cache. Modules imported statically here are compiled before the cache is on: keep them few.
 */
import { ctoHome } from "../config/paths.js";
import { tolerateClosedPipe } from "./closed-output.js";
import { enableCtoCompileCache } from "./compile-cache.js";
import { ctoVersion } from "./context.js";

/** True for exactly `cto --version` or `cto -V`. */
function asksOnlyForVersion(argv: string[]): boolean {
  return argv.length === 3 && (argv[2] === "--version" || argv[2] === "-V");
}

/** True for `cto`, `cto -h`/`--help` and `cto NAME… -h`/`--help`: requests the build may have recorded. */
function mayBeRecordedHelp(argv: string[]): boolean {
  const args = argv.slice(2);
  if (args.length === 0) return true;
  const last = args[args.length - 1];
  return (last === "--help" || last === "-h") && args.slice(0, -1).every((a) => /^[a-z][a-z0-9-]*$/.test(a));
}

/** Oldest Node.js cto runs on (package.json `engines`). */
const MIN_NODE: [number, number] = [22, 12];

async function run(argv: string[]): Promise<number> {
  // stderr only where it may be written: creating process.stderr costs the fast paths below time
  // (a pipe loads node:net) and they never write to it.
  tolerateClosedPipe(process.stdout);
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    tolerateClosedPipe(process.stderr);
    process.stderr.write(
      `error: cto needs Node.js ${MIN_NODE.join(".")} or newer; this is ${process.versions.node}\n` +
        "fix: install Node.js 22 or newer (e.g. npx -y node@22 …, nvm install 22, or your package manager)\n",
    );
    return 1;
  }
  if (asksOnlyForVersion(argv)) {
    try {
      process.stdout.write(`${ctoVersion()}\n`);
      return 0;
    } catch {
      // A broken install (no package.json): the full program reports it, as it does for any command.
    }
  }
  if (!mayBeRecordedHelp(argv)) {
    tolerateClosedPipe(process.stderr);
    enableCtoCompileCache(ctoHome());
    const { main } = await import("./main.js");
    return main(argv);
  }
  const args = argv.slice(2);
  const { cachedHelp, rememberHelp } = await import("./help-cache.js");
  const text = cachedHelp(args);
  if (text !== undefined) {
    process.stdout.write(text);
    return 0;
  }
  tolerateClosedPipe(process.stderr);
  enableCtoCompileCache(ctoHome());
  const { buildProgram, main } = await import("./main.js");
  // Rendered by the program: what it prints is remembered when it is plainly the help.
  let printed = "";
  let complained = false;
  const program = buildProgram({
    writeOut(str) {
      printed += str;
      process.stdout.write(str);
    },
    writeErr(str) {
      complained = true;
      process.stderr.write(str);
    },
  });
  const code = await main(argv, program);
  if (code === 0 && !complained && printed !== "") rememberHelp(args, printed);
  return code;
}

process.exitCode = await run(process.argv);
