/**
 * `cto doctor --fix` (and `cto up` after it asks): installs the tools the failed checks ask for and
 * lists every other fix as an instruction.
 *
 * Tools (the Pulumi CLI with its language hosts, the kubernetes plugin, kubectl, kind, minikube)
 * are downloaded at the versions pinned for the platform release and checked against SHA-256
 * digests (stacks/tools). Offline machines that built the toolchain (scripts/toolchain.sh) get the
 * pinned Pulumi CLI and its plugins copied from there instead, with nothing downloaded. It never
 * runs `sudo` or a shell script: fixes that need root are printed for the user to run.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import {
  TOOL_FOR_CHECK,
  hostArchOfCheck,
  installHostK3s,
  installTools,
  recordToolchainCopy,
  type InstallResult,
  type ToolId,
  type ToolPins,
} from "../tools/index.js";
import { realProbes, type Probes } from "./probes.js";
import type { CheckResult, DoctorReport } from "./types.js";
import { PULUMI_CLI_VERSION, versionString } from "./versions.js";

export interface FixAction {
  id: string;
  name: string;
  /** installed: done by cto; manual: the user runs `instruction`; failed: cto tried and could not. */
  outcome: "installed" | "manual" | "failed";
  message: string;
  /** For manual fixes and failures: what to run or read. */
  instruction?: string;
}

export interface FixOptions {
  probes?: Probes;
  ctoHome?: string;
  /** Tool versions and digests of the plan's release; without them tools are not downloaded. */
  tools?: ToolPins;
  /** Called before each download starts (for progress lines). */
  onDownload?: (name: string, version: string) => void;
}

/** Files of the Pulumi installation copied from the toolchain: the CLI, language host, plugins. */
const PULUMI_FILES = /^pulumi(-language-nodejs|-resource-[a-z0-9-]+)?$/;

async function copyExecutable(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${process.pid}`;
  await fs.copyFile(from, tmp);
  await fs.chmod(tmp, 0o755);
  await fs.rename(tmp, to);
}

/** Copies the pinned Pulumi CLI and plugins from a built toolchain, when it has them. */
async function copyPulumiFromToolchain(probes: Probes, ctoHome: string): Promise<FixAction | undefined> {
  const toolchain = await probes.toolchainBinDir();
  const source = toolchain ? path.join(toolchain, "pulumi") : undefined;
  if (!toolchain || !source || !(await probes.exists(source))) return undefined;
  if (versionString((await probes.run(source, ["version"])).stdout) !== PULUMI_CLI_VERSION) return undefined;
  const bin = path.join(ctoHome, "bin");
  await fs.mkdir(bin, { recursive: true, mode: 0o755 });
  const names = (await fs.readdir(toolchain)).filter((n) => PULUMI_FILES.test(n)).sort();
  for (const name of names) await copyExecutable(path.join(toolchain, name), path.join(bin, name));
  const installed = versionString((await probes.run(path.join(bin, "pulumi"), ["version"])).stdout);
  const base = { id: "tool.pulumi", name: `Pulumi CLI ${PULUMI_CLI_VERSION}` };
  if (installed !== PULUMI_CLI_VERSION) {
    return {
      ...base,
      outcome: "failed",
      message: `copied into ${bin}, but ${path.join(bin, "pulumi")} reports ${installed ?? "no version"}`,
    };
  }
  await recordToolchainCopy(ctoHome, "pulumi", PULUMI_CLI_VERSION, toolchain, names);
  return { ...base, outcome: "installed", message: `copied ${names.join(", ")} from ${toolchain} into ${bin}` };
}

function fromInstall(r: InstallResult, check: CheckResult): FixAction {
  return {
    id: check.id,
    name: `${r.name} ${r.version}`,
    outcome: r.outcome,
    message: r.message,
    ...(r.instruction ? { instruction: r.instruction } : {}),
  };
}

/** Fixes every failed or warned check it can; the others become instructions. */
export async function applyFixes(report: DoctorReport, options: FixOptions = {}): Promise<FixAction[]> {
  const probes = options.probes ?? realProbes();
  const ctoHome = options.ctoHome ?? path.join(probes.home, ".cto");
  const needsWork = (r: CheckResult): boolean => r.status === "fail" || r.status === "warn";
  const failing = report.checks.filter(needsWork);
  const actions: FixAction[] = [];
  const toInstall: { tool: ToolId; check: CheckResult }[] = [];

  let copied: FixAction | undefined;
  if (failing.some((r) => r.id === "tool.pulumi")) copied = await copyPulumiFromToolchain(probes, ctoHome);

  for (const r of failing) {
    const tool = TOOL_FOR_CHECK[r.id];
    if (tool === "pulumi" && copied) {
      actions.push(copied);
    } else if (tool === "pulumi-kubernetes" && copied?.outcome === "installed" && (await hasPlugin(ctoHome))) {
      actions.push({ id: r.id, name: r.name, outcome: "installed", message: "copied with the Pulumi CLI (above)" });
    } else if (hostArchOfCheck(r.id) && options.tools) {
      // k3s for SSH hosts: the linux-<arch> release file, kept apart from this machine's tools.
      const arch = hostArchOfCheck(r.id) as "amd64" | "arm64";
      const version = options.tools.versions.k3s;
      options.onDownload?.(`k3s (linux-${arch}, for SSH hosts)`, version);
      const res = await installHostK3s(arch, version, { ctoHome, env: probes.env, pins: options.tools.digests });
      actions.push(fromInstall({ ...res, name: `${res.name} linux-${arch}` }, r));
    } else if (tool && options.tools) {
      toInstall.push({ tool, check: r });
    } else {
      actions.push({ id: r.id, name: r.name, outcome: "manual", message: r.reason, instruction: r.fix });
    }
  }
  if (toInstall.length > 0 && options.tools) {
    const results = await installTools(
      toInstall.map((t) => t.tool),
      options.tools,
      { ctoHome, env: probes.env, onStart: (tool, version) => options.onDownload?.(tool, version) },
    );
    results.forEach((res, i) => actions.push(fromInstall(res, (toInstall[i] as { check: CheckResult }).check)));
  }
  return actions;
}

async function hasPlugin(ctoHome: string): Promise<boolean> {
  try {
    await fs.access(path.join(ctoHome, "bin", "pulumi-resource-kubernetes"));
    return true;
  } catch {
    return false;
  }
}
