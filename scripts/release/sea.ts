/**
 * Turns the bundle into Node single-executable applications: one preparation blob per Node
 * version (`node --experimental-sea-config`, run by a Node of that exact version because the blob
 * format belongs to the version), injected into each platform's `node` binary with postject.
 *
 * macOS: injecting invalidates the binary's signature, and Apple Silicon refuses to run unsigned
 * code. With `codesign` available (a macOS build host, as in the release workflow) the signature is
 * removed before and an ad-hoc one added after injection. Elsewhere the darwin executables are
 * reported unsigned; they need `codesign --sign - --force cto` before they run on a Mac.
 */
import { copyFileSync, chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { hasCommand, run } from "./exec.js";
import type { Target } from "./targets.js";

/** The fuse Node looks for to know a blob was injected (documented in Node's SEA guide). */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** Writes the preparation blob for `bundle` with `node` (whose version decides the blob format). */
export function writeBlob(node: string, bundle: string, blob: string): void {
  mkdirSync(path.dirname(blob), { recursive: true });
  const config = `${blob}.sea-config.json`;
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      // Both are specific to the platform that builds the blob; the blob goes to five platforms.
      useSnapshot: false,
      useCodeCache: false,
    }),
  );
  run(node, ["--experimental-sea-config", config]);
}

export interface InjectResult {
  exe: string;
  signed: "ad-hoc" | "unsigned" | "not-needed";
}

/** Copies `nodeBinary` to `exe` and injects `blob` into it. */
export function injectBlob(target: Target, nodeBinary: string, blob: string, exe: string): InjectResult {
  mkdirSync(path.dirname(exe), { recursive: true });
  copyFileSync(nodeBinary, exe);
  chmodSync(exe, 0o755);
  const darwin = target.os === "darwin";
  const canSign = darwin && process.platform === "darwin" && hasCommand("codesign");
  if (canSign) run("codesign", ["--remove-signature", exe]);

  const postject = createRequire(import.meta.url).resolve("postject/dist/cli.js");
  const args = [postject, exe, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE, "--overwrite"];
  if (darwin) args.push("--macho-segment-name", "NODE_SEA");
  run(process.execPath, args);

  if (canSign) run("codesign", ["--sign", "-", "--force", exe]);
  return { exe, signed: !darwin ? "not-needed" : canSign ? "ad-hoc" : "unsigned" };
}
