/**
 * The npm package: compiled fresh into a staging copy of the package (so stale files in a
 * developer's `dist/` never ship), then `npm pack`, whose `files` list in package.json decides what
 * goes in (profiles and templates in, tests, sources and dev files out).
 */
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { run } from "./exec.js";

/** Top-level entries copied into the staging package; `files` in package.json filters them. */
const PACKAGE_ENTRIES = [
  "package.json",
  "README.md",
  "CHANGELOG.md",
  "LICENSE",
  "Pulumi.yaml",
  "profiles",
  "templates",
  "examples",
];

/** Builds `cto-<version>.tgz` into `outDir` and returns its path. */
export function packNpm(root: string, stageDir: string, outDir: string): string {
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  for (const entry of PACKAGE_ENTRIES) {
    const src = path.join(root, entry);
    if (existsSync(src)) cpSync(src, path.join(stageDir, entry), { recursive: true });
  }
  const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
  run(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json"), "--outDir", path.join(stageDir, "dist")]);
  // The help texts cto prints without loading commander (cli/help-cache.ts), recorded from this
  // very build as `npm run build` does; commander is loaded from the repository (the staging
  // directory has no node_modules) and recorded by package name, so the install checks its own.
  run(process.execPath, [path.join(stageDir, "dist", "scripts", "help-texts.js"), "--packages-from", root]);
  mkdirSync(outDir, { recursive: true });
  const packed = JSON.parse(
    run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", outDir], { cwd: stageDir }),
  ) as { filename: string }[];
  const file = packed[0]?.filename;
  if (!file) throw new Error("npm pack printed no file name");
  return path.join(outDir, file);
}
