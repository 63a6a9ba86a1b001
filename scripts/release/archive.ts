/**
 * Lays out one platform's archive directory and packs it: `cto-<version>-<os>-<arch>/` holding the
 * executable, `package.json`, `profiles/`, `templates/`, `examples/`, `node_modules/`, README,
 * CHANGELOG; `.tar.gz` for Linux and macOS, `.zip` for Windows.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hasCommand, run } from "./exec.js";
import type { Target } from "./targets.js";

/** `cto-0.1.0-linux-x64` */
export function archiveBase(version: string, target: Target): string {
  return `cto-${version}-${target.id}`;
}

/** `cto-0.1.0-linux-x64.tar.gz` / `cto-0.1.0-win-x64.zip` */
export function archiveName(version: string, target: Target): string {
  return `${archiveBase(version, target)}.${target.archiveFormat}`;
}

/** The package.json shipped beside the executable: what cto reads at run time, no dev scripts. */
export function runtimeManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  const keep = ["name", "version", "description", "license", "homepage", "repository", "type", "engines"];
  const out: Record<string, unknown> = {};
  for (const key of keep) if (manifest[key] !== undefined) out[key] = manifest[key];
  out.dependencies = manifest.dependencies;
  out["//pins"] = manifest["//pins"];
  return out;
}

/** Package data files every archive carries (the same ones the npm package has). */
export function copyPackageData(root: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  const profiles = path.join(root, "profiles");
  if (existsSync(profiles)) {
    for (const file of readdirSync(profiles).filter((f) => f.endsWith(".yaml"))) {
      cpSync(path.join(profiles, file), path.join(dest, "profiles", file));
    }
  }
  // Templates are data (*.hbs, *.yaml, README); their TypeScript is bundled into the executable.
  cpSync(path.join(root, "templates"), path.join(dest, "templates"), {
    recursive: true,
    filter: (src) => !src.endsWith(".ts"),
  });
  for (const entry of ["examples", "README.md", "CHANGELOG.md", "LICENSE"]) {
    const src = path.join(root, entry);
    if (existsSync(src)) cpSync(src, path.join(dest, entry), { recursive: true });
  }
}

export interface StageInput {
  root: string;
  manifest: Record<string, unknown>;
  target: Target;
  exe: string;
  /** Directory holding `node_modules/` with the runtime modules (linked, packed as files). */
  runtimeDir: string;
  stageRoot: string;
}

/** Builds the archive directory under `stageRoot` and returns its path. */
export function stageArchive(input: StageInput): string {
  const version = String(input.manifest.version);
  const dir = path.join(input.stageRoot, archiveBase(version, input.target));
  rmSync(dir, { recursive: true, force: true });
  copyPackageData(input.root, dir);
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(runtimeManifest(input.manifest), null, 2)}\n`);
  cpSync(input.exe, path.join(dir, input.target.exe));
  // One copy serves every platform (no native code); the archivers follow the link.
  symlinkSync(path.resolve(input.runtimeDir, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

/** Packs a staged directory into `outDir` and returns the archive path. */
export function packArchive(stagedDir: string, target: Target, outDir: string): string {
  const name = `${path.basename(stagedDir)}.${target.archiveFormat}`;
  const out = path.join(outDir, name);
  rmSync(out, { force: true });
  const parent = path.dirname(stagedDir);
  if (target.archiveFormat === "zip") {
    if (!hasCommand("zip"))
      throw new Error("the `zip` command is needed for the Windows archive (apt-get install zip)");
    run("zip", ["-q", "-r", "-X", out, path.basename(stagedDir)], { cwd: parent });
  } else {
    // -h: store what the node_modules link points to, not the link.
    run("tar", ["-czhf", out, "-C", parent, path.basename(stagedDir)]);
  }
  return out;
}
