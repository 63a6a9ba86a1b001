/**
 * The offline toolchain's bin for tests that drive its Pulumi CLI: `CTO_PULUMI_BIN_DIR`, else
 * `CTO_TOOLCHAIN_BIN` (`npm test` exports it once, from scripts/toolchain.sh, before the tiers
 * that need it), else the last line of scripts/toolchain.sh (a file run by itself; on a hit the
 * script only checks, but it waits for any build holding its lock). Looked up once per process.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { packageRoot } from "../../config/paths.js";

let found: string | undefined;

/** `args`: what scripts/toolchain.sh builds when it has to run (e.g. `["pulumi"]`; default all). */
export function toolchainBin(args: string[] = []): string {
  found ??=
    process.env.CTO_PULUMI_BIN_DIR ||
    process.env.CTO_TOOLCHAIN_BIN ||
    (execFileSync("bash", [path.join(packageRoot(), "scripts", "toolchain.sh"), ...args], {
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim()
      .split("\n")
      .pop() as string);
  return found;
}
