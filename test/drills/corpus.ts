/**
 * The hostile-input corpus: `test/drills/corpus/*.yaml`, each starting with one header line
 *
 *   # drill: <what it tests> | expect: <error fragment> [| path: <config path>] [| absent: <text>]
 *   [| env: NAME=value] [| setup: <generator>]
 *
 * `expect` must appear in the error output, `path` (the dotted config path) too; `absent` must not
 * appear anywhere in the output (secrets, raw escape sequences); `env` is added to the environment;
 * `setup` names a generator below that builds the file (for inputs too big or too odd to commit).
 * In `absent` and `env`, `\n` and `\xNN` are escapes.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The corpus directory in the source tree (tests run from `<outDir>/test/drills/`). */
export const CORPUS_DIR = fileURLToPath(new URL("../../../test/drills/corpus/", import.meta.url));
/** The repository root, holding package.json, profiles/ and templates/. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CorpusCase {
  /** File name without `.yaml`. */
  name: string;
  source: string;
  what: string;
  expect: string;
  path?: string;
  absent?: string;
  env: Record<string, string>;
  setup?: string;
}

function unescape(text: string): string {
  return text
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/\\n/g, "\n");
}

/** Parses the header line of a corpus file; throws when it is missing or incomplete. */
export function parseHeader(name: string, text: string): Omit<CorpusCase, "name" | "source"> {
  const first = text.split("\n", 1)[0] ?? "";
  const match = /^# drill: (.*)$/.exec(first);
  if (!match) throw new Error(`corpus file ${name}.yaml must start with "# drill: <what> | expect: <fragment>"`);
  const [what, ...fields] = (match[1] as string).split(" | ");
  const parsed: Omit<CorpusCase, "name" | "source"> = { what: (what ?? "").trim(), expect: "", env: {} };
  for (const field of fields) {
    const colon = field.indexOf(": ");
    const key = field.slice(0, colon);
    const value = field.slice(colon + 2).trim();
    if (key === "expect") parsed.expect = value;
    else if (key === "path") parsed.path = value;
    else if (key === "absent") parsed.absent = unescape(value);
    else if (key === "setup") parsed.setup = value;
    else if (key === "env") {
      const eq = value.indexOf("=");
      parsed.env[value.slice(0, eq)] = unescape(value.slice(eq + 1));
    } else throw new Error(`corpus file ${name}.yaml: unknown header field "${key}"`);
  }
  if (parsed.what === "" || parsed.expect === "")
    throw new Error(`corpus file ${name}.yaml: header needs what and expect`);
  return parsed;
}

/** Every corpus case, sorted by name. */
export function readCorpus(dir = CORPUS_DIR): CorpusCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const source = path.join(dir, f);
      const name = f.slice(0, -".yaml".length);
      return { name, source, ...parseHeader(name, readFileSync(source, "utf8")) };
    });
}

export interface PreparedCase {
  /** The config file to pass with -f. */
  file: string;
  /** Extra environment (e.g. CTO_PACKAGE_ROOT for a profiles override). */
  env: Record<string, string>;
}

/**
 * Writes the case's config into `workDir` (applying its generator) and returns what to run it with.
 * Generated inputs stay within the 1 MiB limit unless the point is to exceed it.
 */
export function prepareCase(c: CorpusCase, workDir: string): PreparedCase {
  const file = path.join(workDir, `${c.name}.yaml`);
  const text = readFileSync(c.source, "utf8");
  const env = { ...c.env };
  switch (c.setup) {
    case undefined:
      copyFileSync(c.source, file);
      break;
    case "pad-2mib":
      writeFileSync(file, text + `# ${"x".repeat(98)}\n`.repeat((2 * 1024 * 1024) / 100));
      break;
    case "long-name-512k":
      writeFileSync(file, text.replace("name: acme", `name: ${"a".repeat(512 * 1024)}`));
      break;
    case "deep-nesting-60000":
      writeFileSync(file, `${text}extra: ${"[".repeat(60_000)}${"]".repeat(60_000)}\n`);
      break;
    case "many-bad-agents-20000": {
      const agents = Array.from({ length: 20_000 }, (_, i) => `  Bad_${i}: {}\n`).join("");
      writeFileSync(file, `${text}agents:\n${agents}`);
      break;
    }
    case "many-agents-one-duplicate-20000": {
      const agents = Array.from({ length: 20_000 }, (_, i) => `  agent-${i}: {}\n`).join("");
      writeFileSync(file, `${text}agents:\n${agents}  agent-12345: {}\n`);
      break;
    }
    case "long-key-900k":
      writeFileSync(file, `${text}${"k".repeat(900_000)}: 1\n`);
      break;
    case "profiles-cyclic":
      copyFileSync(c.source, file);
      env.CTO_PACKAGE_ROOT = cyclicPackageRoot(path.join(workDir, `${c.name}-package`));
      break;
    default:
      throw new Error(`corpus file ${c.name}.yaml: unknown setup "${c.setup}"`);
  }
  return { file, env };
}

/**
 * A package root like cto's own, whose minimal profile has a dependency cycle
 * (argo-cd → argo-events → argo-cd). Both edges are written here, so the cycle does not depend on
 * which dependencies the shipped profile happens to have. The profiles directory is only
 * overridable through the package root (CTO_PACKAGE_ROOT), so that is what the drill overrides.
 */
function cyclicPackageRoot(root: string): string {
  mkdirSync(root, { recursive: true });
  copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(root, "package.json"));
  for (const dir of ["templates", "examples"]) symlinkSync(path.join(REPO_ROOT, dir), path.join(root, dir));
  cpSync(path.join(REPO_ROOT, "profiles"), path.join(root, "profiles"), { recursive: true });
  const minimal = path.join(root, "profiles", "minimal.yaml");
  const text = readFileSync(minimal, "utf8");
  const cyclic = withDependencies(withDependencies(text, "argo-cd", ["argo-events"]), "argo-events", ["argo-cd"]);
  writeFileSync(minimal, cyclic);
  return root;
}

/** The profile text with one component's `dependencies:` line replaced (its comment dropped). */
function withDependencies(text: string, component: string, dependencies: string[]): string {
  const entry = new RegExp(`(- name: ${component}\n(?:    .*\n)*?    dependencies: )\[[^\]]*\].*`);
  const changed = text.replace(entry, (_, head: string) => `${head}[${dependencies.join(", ")}]`);
  if (changed === text) throw new Error(`profiles/minimal.yaml changed shape: cannot set ${component}'s dependencies`);
  return changed;
}
