/**
 * `npm run release:build`: every release artifact under `release/` (git-ignored), offline once
 * the per-platform Node binaries are cached (the first run fetches them from the npm registry).
 *
 *   release/cto-<version>.tgz                       npm package
 *   release/cto-<version>-<os>-<arch>.tar.gz|.zip   standalone executable + package data
 *   release/SHA256SUMS                              checksums of all of the above
 *   release/Formula/cto.rb                          Homebrew formula for those archives
 *
 * Options: --out DIR (default release/), --targets linux-x64,win-x64 (default all),
 * --skip-npm. Env: CTO_RELEASE_BASE_URL (download URL prefix for the formula).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { archiveName, packArchive, stageArchive } from "./archive.js";
import { bundleCli, externalPackages } from "./bundle.js";
import { checksumLines, formatChecksums } from "./checksums.js";
import { releaseBaseUrl, renderFormula, type FormulaArchive } from "./formula.js";
import { nodeBinary } from "./node-binaries.js";
import { packNpm } from "./npm-package.js";
import { copyRuntimeModules, runtimeClosure } from "./runtime-modules.js";
import { injectBlob, writeBlob, type InjectResult } from "./sea.js";
import { allTargets, hostTargetId, nodePackageFor, selectTargets, type Target } from "./targets.js";

/** Short formula description (Homebrew wants < 80 characters, no trailing period). */
const FORMULA_DESCRIPTION = "Installer for the CTO multi-agent development platform";

export interface BuildOptions {
  root: string;
  outDir: string;
  targetIds: string[];
  skipNpm: boolean;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface BuildResult {
  version: string;
  npmTarball?: string;
  archives: { target: Target; file: string; signed: InjectResult["signed"] }[];
  checksums: string;
  formula?: string;
  baseUrlSource: "env" | "repository" | "local";
}

/** Finds the repository root: two levels above this file's directory (scripts/release or dist/scripts/release). */
function defaultRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (manifest.name === "cto") return dir;
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find cto's package.json above scripts/release");
    dir = parent;
  }
}

/** Runs `step`, logging how long it took. */
async function timed<T>(log: (line: string) => void, label: string, step: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await step();
  log(`[release] ${label} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return result;
}

/** A `node` that runs on this machine at `version`, to write that version's SEA blob. */
function hostNode(version: string): string {
  if (process.version === `v${version}`) return process.execPath;
  const host = hostTargetId();
  if (!host) throw new Error(`no Node package for this machine (${process.platform}-${process.arch}) to write blobs`);
  return nodeBinary(nodePackageFor(host), version, host.startsWith("win"));
}

/** Builds every artifact; see the file comment. */
export async function buildRelease(options: BuildOptions): Promise<BuildResult> {
  const { root, outDir, log } = options;
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, unknown> & {
    version: string;
    description?: string;
    license?: string;
    homepage?: string;
    repository?: unknown;
    dependencies: Record<string, string>;
  };
  const version = manifest.version;
  const targets = selectTargets(allTargets(root), options.targetIds);
  const work = path.join(outDir, ".work");
  await timed(log, `clean ${outDir}`, () => rmSync(outDir, { recursive: true, force: true }));
  mkdirSync(work, { recursive: true });

  const result: BuildResult = { version, archives: [], checksums: "", baseUrlSource: "local" };
  if (!options.skipNpm) {
    result.npmTarball = await timed(log, "npm package", () => packNpm(root, path.join(work, "npm"), outDir));
  }

  const externals = externalPackages(manifest.dependencies);
  const bundle = await timed(log, "bundle (esbuild)", () => bundleCli(root, path.join(work, "cto.cjs"), externals));
  for (const warning of bundle.warnings) log(`[release]   esbuild warning: ${warning}`);
  log(`[release]   ${path.relative(root, bundle.file)}: ${(bundle.bytes / 1024).toFixed(0)} KiB`);

  const runtimeDir = path.join(work, "runtime");
  await timed(log, `runtime modules for ${externals.join(", ")}`, () => {
    const closure = runtimeClosure(root, externals);
    copyRuntimeModules(root, closure, runtimeDir);
    log(`[release]   ${closure.length} packages in node_modules`);
  });

  const blobs = new Map<string, string>();
  for (const target of targets) {
    const exe = await timed(log, `executable ${target.id} (node ${target.nodeVersion})`, () => {
      let blob = blobs.get(target.nodeVersion);
      if (!blob) {
        blob = path.join(work, `sea-${target.nodeVersion}.blob`);
        writeBlob(hostNode(target.nodeVersion), bundle.file, blob);
        blobs.set(target.nodeVersion, blob);
      }
      const node = nodeBinary(target.nodePackage, target.nodeVersion, target.os === "win");
      return injectBlob(target, node, blob, path.join(work, "bin", target.id, target.exe));
    });
    if (target.nodeVersionReason) log(`[release]   ${target.nodeVersionReason}`);
    if (exe.signed === "unsigned") {
      log(
        `[release]   WARNING: ${target.id} is not code-signed (no codesign here); macOS needs "codesign --sign - --force cto" or a build on macOS`,
      );
    }
    const file = await timed(log, `archive ${archiveName(version, target)}`, () => {
      const staged = stageArchive({
        root,
        manifest,
        target,
        exe: exe.exe,
        runtimeDir,
        stageRoot: path.join(work, "stage"),
      });
      return packArchive(staged, target, outDir);
    });
    result.archives.push({ target, file, signed: exe.signed });
  }

  const files = [...(result.npmTarball ? [result.npmTarball] : []), ...result.archives.map((a) => a.file)];
  const sums = await checksumLines(files);
  result.checksums = path.join(outDir, "SHA256SUMS");
  writeFileSync(result.checksums, formatChecksums(sums));

  const brewArchives: FormulaArchive[] = result.archives
    .filter((a) => a.target.os !== "win")
    .map((a) => ({
      os: a.target.os as "linux" | "darwin",
      arch: a.target.arch,
      name: path.basename(a.file),
      sha256: sums.find((s) => s.name === path.basename(a.file))!.sha256,
    }));
  if (brewArchives.length === 4) {
    const base = releaseBaseUrl(manifest, options.env, outDir);
    result.baseUrlSource = base.source;
    const formula = renderFormula({
      version,
      description: FORMULA_DESCRIPTION,
      homepage:
        manifest.homepage ?? (base.source === "local" ? base.url : base.url.replace(/\/releases\/download\/.*$/, "")),
      license: manifest.license ?? "Apache-2.0",
      baseUrl: base.url,
      archives: brewArchives,
    });
    result.formula = path.join(outDir, "Formula", "cto.rb");
    mkdirSync(path.dirname(result.formula), { recursive: true });
    writeFileSync(result.formula, formula);
    if (base.source === "local") {
      log(
        `[release] Formula/cto.rb points at ${base.url} (set CTO_RELEASE_BASE_URL or package.json "repository" to publish)`,
      );
    }
  } else {
    log("[release] Formula/cto.rb skipped: it needs all four macOS/Linux archives");
  }
  await timed(log, "remove the work directory", () => rmSync(work, { recursive: true, force: true }));
  return result;
}

function parseArgs(argv: string[], root: string): Pick<BuildOptions, "outDir" | "targetIds" | "skipNpm"> {
  let outDir = path.join(root, "release");
  let targetIds: string[] = [];
  let skipNpm = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out") outDir = path.resolve(argv[++i] ?? "");
    else if (arg === "--targets") targetIds = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (arg === "--skip-npm") skipNpm = true;
    else throw new Error(`unknown option ${arg}; options: --out DIR, --targets ID[,ID…], --skip-npm`);
  }
  return { outDir, targetIds, skipNpm };
}

async function main(): Promise<void> {
  const root = defaultRoot();
  const start = performance.now();
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const result = await buildRelease({ root, ...parseArgs(process.argv.slice(2), root), env: process.env, log });
  log(`[release] done in ${((performance.now() - start) / 1000).toFixed(1)} s:`);
  for (const file of [result.npmTarball, ...result.archives.map((a) => a.file), result.checksums, result.formula]) {
    if (file) log(`  ${path.relative(process.cwd(), file)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`release build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
