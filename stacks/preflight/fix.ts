/**
 * `cto doctor --fix`: installs what `cto` can install itself and lists the rest as instructions.
 *
 * What it installs: the pinned Pulumi CLI (with the language host and resource plugins next to
 * it) into `~/.cto/bin`, copied from the toolchain cache that scripts/toolchain.sh builds. Nothing
 * is downloaded. It never runs `sudo`: fixes that need root are printed for the user to run.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { realProbes, type Probes } from "./probes.js";
import type { CheckResult, DoctorReport } from "./types.js";
import { PULUMI_CLI_VERSION, versionString } from "./versions.js";

export interface FixAction {
  id: string;
  name: string;
  /** installed: done by cto; manual: the user runs `instruction`; failed: cto tried and could not. */
  outcome: "installed" | "manual" | "failed";
  message: string;
  /** For manual fixes: what to run or read. */
  instruction?: string;
}

export interface FixOptions {
  probes?: Probes;
  ctoHome?: string;
}

/** Files of the Pulumi installation copied from the toolchain: the CLI, language host, plugins. */
const PULUMI_FILES = /^pulumi(-language-nodejs|-resource-[a-z0-9-]+)?$/;

async function copyExecutable(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${process.pid}`;
  await fs.copyFile(from, tmp);
  await fs.chmod(tmp, 0o755);
  await fs.rename(tmp, to);
}

async function installPulumi(probes: Probes, ctoHome: string): Promise<FixAction> {
  const base = { id: "tool.pulumi", name: `Pulumi CLI ${PULUMI_CLI_VERSION}` };
  const toolchain = await probes.toolchainBinDir();
  const source = toolchain ? path.join(toolchain, "pulumi") : undefined;
  const sourceVersion =
    source && (await probes.exists(source)) ? versionString((await probes.run(source, ["version"])).stdout) : undefined;
  if (!toolchain || sourceVersion !== PULUMI_CLI_VERSION) {
    return {
      ...base,
      outcome: "manual",
      message: toolchain
        ? `the toolchain cache (${toolchain}) has no pulumi ${PULUMI_CLI_VERSION}`
        : "no toolchain cache to copy from, and cto downloads nothing",
      instruction: `curl -fsSL https://get.pulumi.com | sh -s -- --version ${PULUMI_CLI_VERSION} && mkdir -p ${path.join(ctoHome, "bin")} && cp ~/.pulumi/bin/pulumi* ${path.join(ctoHome, "bin")}/`,
    };
  }
  const bin = path.join(ctoHome, "bin");
  await fs.mkdir(bin, { recursive: true, mode: 0o755 });
  const names = (await fs.readdir(toolchain)).filter((n) => PULUMI_FILES.test(n)).sort();
  for (const name of names) await copyExecutable(path.join(toolchain, name), path.join(bin, name));
  const installed = versionString((await probes.run(path.join(bin, "pulumi"), ["version"])).stdout);
  if (installed !== PULUMI_CLI_VERSION) {
    return {
      ...base,
      outcome: "failed",
      message: `copied into ${bin}, but ${path.join(bin, "pulumi")} reports ${installed ?? "no version"}`,
    };
  }
  return { ...base, outcome: "installed", message: `copied ${names.join(", ")} from ${toolchain} into ${bin}` };
}

/** Fixes every failed or warned check it can; the others become instructions. */
export async function applyFixes(report: DoctorReport, options: FixOptions = {}): Promise<FixAction[]> {
  const probes = options.probes ?? realProbes();
  const ctoHome = options.ctoHome ?? path.join(probes.home, ".cto");
  const actions: FixAction[] = [];
  const needsWork = (r: CheckResult): boolean => r.status === "fail" || r.status === "warn";
  for (const r of report.checks.filter(needsWork)) {
    if (r.id === "tool.pulumi") {
      actions.push(await installPulumi(probes, ctoHome));
      continue;
    }
    actions.push({
      id: r.id,
      name: r.name,
      outcome: "manual",
      message: r.reason,
      instruction: r.fix,
    });
  }
  return actions;
}
