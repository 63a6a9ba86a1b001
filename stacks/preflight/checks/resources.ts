/**
 * This machine against the plan's requirement (`profiles/requirements.ts`): its requests with every
 * feature the profile allows, plus the cluster kind's system share, the same figure `cto profiles`
 * states. Only for clusters that run here: k3s without SSH nodes, kind, minikube, simulated. The
 * capacity check takes the same system share off this machine, so a machine these checks pass
 * always has room for the plan's requests.
 *
 * For `simulated` the nodes are fake and the control plane needs about 1 GiB, so a shortfall is a
 * warning there, not a refusal.
 */
import path from "node:path";
import type { Plan } from "../../../profiles/plan.js";
import type { Check, CheckContext, CheckOutcome } from "../types.js";
import { formatGiB, GiB } from "../../../profiles/quantity.js";
import { fail, isLocalCluster, ok, warn } from "./common.js";

function smallerProfileFix(plan: Plan, what: string): string {
  const smaller = plan.profile.name === "production" ? "standard" : "minimal";
  return plan.profile.name === "minimal"
    ? `Run on a machine with ${what}, or use cluster.provider: existing with a bigger cluster`
    : `Use a smaller profile (cto doctor --profile ${smaller}; profile: ${smaller} in cto.yaml) or a machine with ${what}`;
}

/** "the minimal profile on kind needs" — who needs the figure, for every message. */
function needs(plan: Plan): string {
  return `the ${plan.profile.name} profile on ${plan.profile.requirements.clusterKind} needs`;
}

function verdict(
  plan: Plan,
  short: boolean,
  reason: string,
  fix: string,
  details: Record<string, unknown>,
): CheckOutcome {
  if (!short) return ok(reason, details);
  if (plan.cluster.provider === "simulated") {
    return {
      ...warn(`${reason} (the simulated cluster's nodes are fake: a warning only)`, fix, details),
      critical: false,
    };
  }
  return fail(reason, fix, details);
}

export const memoryCheck: Check = {
  id: "machine.memory",
  name: "Memory",
  critical: true,
  appliesTo: isLocalCluster,
  async run({ plan, probes }) {
    const need = plan.profile.requirements.memoryGiB;
    const mem = await probes.memInfo();
    if (!mem) return warn("could not read the machine's memory size", "Check it yourself: free -g");
    const have = mem.totalBytes;
    // MemTotal, as it is: the requirement is computed, not a marketing size, so there is no tolerance.
    const short = have < need * GiB;
    const reason = `${formatGiB(have)} total; ${needs(plan)} ${need} GiB`;
    return verdict(plan, short, reason, smallerProfileFix(plan, `at least ${need} GiB of memory`), {
      totalBytes: have,
      availableBytes: mem.availableBytes,
      requiredGiB: need,
    });
  },
};

export const cpuCheck: Check = {
  id: "machine.cpu",
  name: "CPU",
  critical: true,
  appliesTo: isLocalCluster,
  async run({ plan, probes }) {
    const need = plan.profile.requirements.cpu;
    const have = probes.cpuCount();
    const reason = `${have} CPU; ${needs(plan)} ${need}`;
    return verdict(plan, have < need, reason, smallerProfileFix(plan, `at least ${need} CPUs`), {
      cpus: have,
      required: need,
    });
  },
};

/** Where the provider keeps its data (images, volumes, etcd), measured at its nearest existing ancestor. */
export function dataDirectory(ctx: Pick<CheckContext, "plan" | "probes">): string {
  const { plan, probes } = ctx;
  switch (plan.cluster.provider) {
    case "k3s":
      return "/var/lib/rancher";
    case "kind":
    case "minikube":
      return "/var/lib/docker";
    case "simulated":
      return probes.env.KWOK_WORKDIR ?? path.join(probes.home, ".kwok");
    default:
      return probes.home;
  }
}

export const diskCheck: Check = {
  id: "machine.disk",
  name: "Free disk",
  critical: true,
  appliesTo: isLocalCluster,
  async run(ctx) {
    const { plan, probes } = ctx;
    const need = plan.profile.requirements.diskGiB;
    const dir = dataDirectory(ctx);
    const disk = await probes.diskFree(dir);
    if (!disk) return warn(`could not measure free space for ${dir}`, `Check it yourself: df -h ${dir}`);
    const where = disk.path === dir ? dir : `${disk.path} (for ${dir})`;
    const reason = `${formatGiB(disk.freeBytes)} free at ${where}; ${needs(plan)} ${need} GiB`;
    return verdict(
      plan,
      disk.freeBytes < need * GiB,
      reason,
      `Free space on ${disk.path} (docker system prune, old images and logs) or ${smallerProfileFix(plan, `${need} GiB free`).toLowerCase()}`,
      {
        freeBytes: disk.freeBytes,
        path: disk.path,
        requiredGiB: need,
      },
    );
  },
};
