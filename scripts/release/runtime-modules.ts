/**
 * The packages the standalone executable loads from disk (`node_modules/` beside it): the external SDKs
 * and everything they depend on at run time, found by Node's own resolution from the project's
 * installed `node_modules`. Peer and dev dependencies are not followed (`@pulumi/pulumi`'s optional
 * peers `typescript`/`ts-node` serve TypeScript programs, which cto does not run).
 */
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Finds the directory of package `name` as Node would from `fromDir` (walking up node_modules). */
function resolvePackageDir(name: string, fromDir: string, root: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Installed package directories needed at run time by `names`, relative to `root`
 * (e.g. `node_modules/@grpc/grpc-js`, `node_modules/foo/node_modules/bar`), sorted.
 */
export function runtimeClosure(root: string, names: string[]): string[] {
  const found = new Set<string>();
  const queue: { name: string; from: string; optional: boolean }[] = names.map((name) => ({
    name,
    from: root,
    optional: false,
  }));
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift()!;
    const dir = resolvePackageDir(name, from, root);
    if (!dir) {
      if (optional) continue; // e.g. a platform-specific optional package not installed here
      throw new Error(`${name} (needed by ${path.relative(root, from) || "cto"}) is not installed; run npm ci`);
    }
    const rel = path.relative(root, dir);
    if (found.has(rel)) continue;
    found.add(rel);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {}))
      queue.push({ name: dep, from: dir, optional: true });
  }
  return [...found].sort();
}

/**
 * Files nothing loads at run time: type declarations, TypeScript sources and source maps. They are
 * over half of the files (and 80 MiB) of the Pulumi SDKs; leaving them out makes archives smaller
 * and unpacking faster. Licences, package.json files and JavaScript stay.
 */
export function isRuntimeFile(file: string): boolean {
  return !/\.(?:[cm]?ts|map)$/.test(file);
}

/** Copies the closure into `dest` (`…/runtime`), keeping the nesting (`dest/node_modules/...`). */
export function copyRuntimeModules(root: string, packageDirs: string[], dest: string): void {
  for (const rel of packageDirs) {
    // Nested node_modules are copied with their parent; skip the parent's nested copies here so a
    // nested package is copied once, by its own entry.
    cpSync(path.join(root, rel), path.join(dest, rel), {
      recursive: true,
      dereference: true,
      filter: (src) =>
        isRuntimeFile(src) && !path.relative(path.join(root, rel), src).split(path.sep).includes("node_modules"),
    });
  }
}
