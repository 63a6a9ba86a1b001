/**
 * The requirements registry and the one entry point both `cto doctor` and `cto up` use:
 * `runPreflight(plan, options) → DoctorReport`.
 */
import path from "node:path";
import type { Plan } from "../../profiles/plan.js";
import { apiCheck, capacityCheck, haNodesCheck, storageClassCheck, versionCheck } from "./checks/cluster.js";
import { domainCheck, githubTokenCheck } from "./checks/github.js";
import { initSystemCheck, linuxCheck, privilegeCheck, simulatedToolchainCheck, sshChecks } from "./checks/hosts.js";
import { portsCheck } from "./checks/ports.js";
import { cpuCheck, diskCheck, memoryCheck } from "./checks/resources.js";
import { backendCheck, passphraseCheck, type StateSettings } from "./checks/state.js";
import {
  dockerCheck,
  kindCheck,
  kubectlCheck,
  minikubeCheck,
  k3sCheck,
  hostK3sChecks,
  nodeCheck,
  pulumiCheck,
  pulumiKubernetesCheck,
} from "./checks/tools.js";
import { realProbes, type Probes } from "./probes.js";
import type { Check, CheckContext, CheckResult, DoctorReport } from "./types.js";

export interface PreflightOptions {
  /** Injected probes (tests); default: this machine. */
  probes?: Probes;
  /** `cto`'s own directory; default `<home>/.cto`. */
  ctoHome?: string;
  /** GitHub token from the stack's secrets, when not in the environment. Never printed. */
  githubToken?: string;
  /** Backend URL, passphrase file and project as the lifecycle resolves them (defaults: see checks/state.ts). */
  state?: Partial<StateSettings>;
  /** Called as each check finishes (in completion order), e.g. for a spinner. */
  onResult?: (result: CheckResult) => void;
}

/** Every check that applies to the plan, in the order the report lists them. */
export function preflightChecks(plan: Plan, options: Pick<PreflightOptions, "state"> = {}): Check[] {
  const all: Check[] = [
    nodeCheck,
    pulumiCheck,
    pulumiKubernetesCheck,
    kubectlCheck,
    dockerCheck,
    kindCheck,
    minikubeCheck,
    k3sCheck,
    ...hostK3sChecks(plan),
    simulatedToolchainCheck,
    linuxCheck,
    privilegeCheck,
    initSystemCheck,
    ...sshChecks(plan),
    memoryCheck,
    cpuCheck,
    diskCheck,
    portsCheck,
    backendCheck(options.state),
    passphraseCheck(options.state),
    apiCheck,
    versionCheck,
    capacityCheck,
    haNodesCheck,
    storageClassCheck,
    githubTokenCheck,
    domainCheck,
  ];
  return all.filter((c) => c.appliesTo(plan));
}

async function runOne(check: Check, ctx: CheckContext): Promise<CheckResult> {
  try {
    const { critical, ...outcome } = await check.run(ctx);
    return { id: check.id, name: check.name, critical: critical ?? check.critical, ...outcome };
  } catch (err) {
    return {
      id: check.id,
      name: check.name,
      critical: check.critical,
      status: "fail",
      reason: `the check itself failed: ${(err as Error).message}`,
      fix: "This is a bug in cto: please report it with the output of cto doctor --json",
    };
  }
}

/** Counts and the overall verdict for a list of results. */
export function summarize(plan: Plan, checks: CheckResult[]): DoctorReport {
  const criticalFailures = checks.filter((c) => c.status === "fail" && c.critical).length;
  return {
    schemaVersion: 1,
    ok: criticalFailures === 0,
    environment: plan.environment,
    profile: plan.profile.name,
    provider: plan.cluster.provider,
    summary: {
      ok: checks.filter((c) => c.status === "ok").length,
      failed: checks.filter((c) => c.status === "fail").length,
      warnings: checks.filter((c) => c.status === "warn").length,
      skipped: checks.filter((c) => c.status === "skip").length,
      criticalFailures,
    },
    checks,
  };
}

/**
 * Runs every applicable check (concurrently; each is bounded by its own time limits) and returns
 * the report. Never throws for a failed requirement: `report.ok` is false when a critical check
 * failed, and the caller decides (doctor exits 1, up stops unless --skip-checks).
 */
export async function runPreflight(plan: Plan, options: PreflightOptions = {}): Promise<DoctorReport> {
  const probes = options.probes ?? realProbes();
  const ctx: CheckContext = {
    plan,
    probes,
    ctoHome: options.ctoHome ?? path.join(probes.home, ".cto"),
    githubToken: options.githubToken,
  };
  const checks = preflightChecks(plan, options);
  const results = await Promise.all(
    checks.map(async (check) => {
      const result = await runOne(check, ctx);
      options.onResult?.(result);
      return result;
    }),
  );
  return summarize(plan, results);
}
