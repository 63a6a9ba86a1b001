/**
 * The directory of the Pulumi CLI for tests that drive it directly: `CTO_PULUMI_BIN_DIR` when set
 * (the CLI cto itself would use), else the offline toolchain's bin as every e2e file finds it
 * (`requireToolchain`: `CTO_TOOLCHAIN_BIN`, which `npm test` exports, or the toolchain cache's
 * `current`; without one it fails and says how to build it).
 */
import { requireToolchain } from "./kwok.js";

export function toolchainBin(): string {
  return process.env.CTO_PULUMI_BIN_DIR || requireToolchain(["pulumi"]);
}
