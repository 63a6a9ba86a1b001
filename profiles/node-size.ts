/**
 * Default node size of a simulated cluster. The profile states a machine size per node
 * (`cluster.cpu/memory` in profiles/*.yaml), but what a plan requests also depends on its agents
 * and features; a node of the profile's size alone can be too small for the plan, and `cto doctor`
 * would then refuse the default install. So when cto.yaml leaves `cluster.simulated.cpu` or
 * `.memory` unset, the nodes are sized from the same requests sum the doctor checks.
 */
import { GiB, parseCpu, parseMemory } from "./quantity.js";
import { planRequests, type PlanDemand } from "./requests.js";

/**
 * Spare capacity on top of the requests (a fraction of them): room for the workflow pods the
 * agents start and for estimates that run low, so a default cluster is not filled to the last core.
 */
export const SIMULATED_HEADROOM = 0.25;

/** Per-node capacity as Kubernetes quantities, e.g. `{ cpu: "4", memory: "8Gi" }`. */
export interface NodeSize {
  cpu: string;
  memory: string;
}

/**
 * Per-node CPU and memory of `nodes` simulated nodes sized for the plan: its requests
 * (`planRequests`) plus `SIMULATED_HEADROOM`, spread over the nodes and rounded up to whole cores
 * and whole GiB; at least the largest agent's pod (it runs on one node); never below the profile's
 * machine size `profileNode`, which is returned unchanged when it is big enough.
 */
export function defaultSimulatedNodeSize(demand: PlanDemand, nodes: number, profileNode: NodeSize): NodeSize {
  const total = planRequests(demand);
  const share = (1 + SIMULATED_HEADROOM) / Math.max(1, nodes);
  let cpu = total.cpu * share;
  let memoryBytes = total.memoryBytes * share;
  for (const agent of demand.agents) {
    cpu = Math.max(cpu, parseCpu(agent.resources.cpu));
    memoryBytes = Math.max(memoryBytes, parseMemory(agent.resources.memory));
  }
  // The small epsilon keeps float noise (4.0000000001 cores) from adding a whole core.
  const cores = Math.ceil(cpu - 1e-9);
  const gib = Math.ceil(memoryBytes / GiB - 1e-9);
  return {
    cpu: cores > parseCpu(profileNode.cpu) ? String(cores) : profileNode.cpu,
    memory: gib * GiB > parseMemory(profileNode.memory) ? `${gib}Gi` : profileNode.memory,
  };
}
