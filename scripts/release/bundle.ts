/**
 * Bundles the CLI into one CommonJS script with esbuild, the script a Node single-executable
 * application runs. Bundling first keeps start-up fast (one file to parse, no module resolution on
 * disk) and is required anyway: the embedded script can `require` only Node's built-in modules.
 *
 * What is not bundled: the `@pulumi/*` SDKs. The Pulumi engine talks to the program over gRPC and
 * launches `pulumi-resource-pulumi-nodejs` (dynamic providers), which loads `@pulumi/pulumi` from
 * disk with a real `node`; the SDKs also read their own `package.json` and locate plugins relative
 * to their files. They ship as plain files in the archive's `node_modules/`, and the bundle
 * loads them from there (see BANNER).
 */
import { readFile } from "node:fs/promises";
import { builtinModules, isBuiltin } from "node:module";
import path from "node:path";
import { build, type Plugin } from "esbuild";

/** Packages left out of the bundle and shipped in the archive's `node_modules/` instead. */
export function externalPackages(dependencies: Record<string, string>): string[] {
  return Object.keys(dependencies)
    .filter((name) => name.startsWith("@pulumi/"))
    .sort();
}

/**
 * Runs before the bundled code. In the embedded script `require` loads built-ins only, so it is
 * replaced by a `require` rooted at the executable's directory, which finds `node_modules/` there.
 * (cto's own `createRequire(import.meta.url)` calls find it too: see importMetaUrlPlugin.)
 * `__ctoModuleUrl` stands in for `import.meta.url` (see importMetaUrlPlugin).
 */
export const BANNER = [
  "require = require('node:module').createRequire(require('node:path').join(require('node:path').dirname(process.execPath), 'cto.cjs'));",
  "function __ctoModuleUrl(rel) {",
  "  const root = process.env.CTO_PACKAGE_ROOT || require('node:path').dirname(process.execPath);",
  "  return require('node:url').pathToFileURL(require('node:path').join(root, 'dist', rel)).href;",
  "}",
].join("\n");

/**
 * `import.meta` does not exist in CommonJS (esbuild would make `import.meta.url` undefined). Each
 * module's `import.meta.url` becomes the URL it has in the npm package (`<root>/dist/<file>.js`), so
 * code that walks up from its own file to `package.json`, `profiles/` or `templates/` finds them in
 * the unpacked archive exactly as in the npm package.
 */
function importMetaUrlPlugin(root: string): Plugin {
  return {
    name: "cto-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.url")) return undefined;
        const rel = path.relative(root, args.path).split(path.sep).join("/").replace(/\.ts$/, ".js");
        return {
          contents: source.replaceAll("import.meta.url", `__ctoModuleUrl(${JSON.stringify(rel)})`),
          loader: "ts",
        };
      });
    },
  };
}

/**
 * Externals and Node built-ins are reached through a one-line CommonJS shim, so every
 * `import … from "node:fs"`, `import x from "@pulumi/pulumi"` and `await import("@pulumi/…")`
 * becomes a call of the banner's `require`. The output then has no `import` statement left, which
 * the embedded script could not run, and can be wrapped in an async function (WRAPPER). The one
 * `import()` left is that of built-ins, which the embedded script can run (see below).
 */
function requireShimPlugin(externals: string[]): Plugin {
  const names = [...externals, ...builtinModules.filter((m) => !m.startsWith("_"))];
  const escaped = names.map((n) => n.replace(/[/.\\-]/g, "\\$&")).join("|");
  const pattern = new RegExp(`^(node:[\\w/]+|(?:${escaped})(?:/.*)?)$`);
  return {
    name: "cto-require-shim",
    setup(b) {
      b.onResolve({ filter: pattern }, (args) => {
        // The shim's own `require` stays a real (external) require.
        if (args.namespace === "cto-require") return { path: args.path, external: true };
        // `await import("node:crypto")` stays as written: the executable can import built-ins, and
        // Pulumi serializes dynamic-provider functions from their source text, so such a function
        // must not capture bundler helpers (components load built-ins this way on purpose).
        if (args.kind === "dynamic-import" && isBuiltin(args.path)) return { path: args.path, external: true };
        return { path: args.path, namespace: "cto-require" };
      });
      b.onLoad({ filter: /.*/, namespace: "cto-require" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: "js",
      }));
    },
  };
}

/**
 * The embedded script must be CommonJS, and cto's entry awaits at top level (an ES module
 * feature). esbuild writes an ES module whose only module syntax left is that top-level await;
 * wrapped in an async function it is a valid CommonJS script with the same behaviour.
 */
export const WRAPPER = {
  before: "(async () => {",
  after:
    "})().catch((err) => { process.stderr.write(`error: ${err && err.stack ? err.stack : err}\\n`); process.exitCode = 1; });",
};

export interface BundleResult {
  file: string;
  bytes: number;
  warnings: string[];
}

/** Bundles `scripts/release/sea-entry.ts` (which runs `cli/bin.ts`) into `outFile`. */
export async function bundleCli(root: string, outFile: string, externals: string[]): Promise<BundleResult> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, "scripts", "release", "sea-entry.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "eof",
    banner: { js: `${BANNER}\n${WRAPPER.before}` },
    footer: { js: WRAPPER.after },
    plugins: [importMetaUrlPlugin(root), requireShimPlugin(externals)],
    logLevel: "silent",
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { file: outFile, bytes, warnings: result.warnings.map((w) => `${w.location?.file ?? ""}: ${w.text}`) };
}
