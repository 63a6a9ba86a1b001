/**
 * Host ports the cluster provider binds on this machine:
 * - kind: its port mappings (the PRD maps 80, 443, 8080, 2746, 3000);
 * - k3s on this machine: 6443 (API server), 10250 (kubelet), and 80/443 for the built-in service
 *   load balancer unless the plan has no ingress;
 * - minikube, simulated and existing clusters bind no fixed host port.
 */
import type { Plan } from "../../../profiles/plan.js";
import type { Check } from "../types.js";
import { fail, isRemoteK3s, ok } from "./common.js";

export function requiredPorts(plan: Plan): number[] {
  const c = plan.cluster;
  if (c.provider === "kind") return [...c.portMappings];
  if (c.provider === "k3s" && !isRemoteK3s(plan)) {
    return plan.platform.ingressType === "none" ? [6443, 10250] : [6443, 10250, 80, 443];
  }
  return [];
}

/** Processes that hold the ports once the provider's own cluster runs. */
const OWN_HOLDERS: Partial<Record<Plan["cluster"]["provider"], RegExp>> = {
  kind: /^(docker-proxy|dockerd|rootlessport|com\.docker)/,
  k3s: /^(k3s|containerd|traefik|svclb)/,
};

export const portsCheck: Check = {
  id: "host.ports",
  name: "Ports",
  critical: true,
  appliesTo: (plan) => requiredPorts(plan).length > 0,
  async run({ plan, probes }) {
    const ports = requiredPorts(plan);
    const busy: { port: number; holder?: string }[] = [];
    const ours: number[] = [];
    // Once the cluster exists, its own processes hold these ports: that is not a conflict.
    const clusterExists = "kubeconfigPath" in plan.cluster && (await probes.exists(plan.cluster.kubeconfigPath));
    const own = OWN_HOLDERS[plan.cluster.provider];
    for (const port of ports) {
      const status = await probes.port(port);
      if (status.state !== "busy") continue;
      if (clusterExists && own && status.holder && own.test(status.holder)) ours.push(port);
      else busy.push({ port, holder: status.holder });
    }
    const details = { ports, busy, heldByCluster: ours };
    if (busy.length === 0) {
      const free = ports.filter((p) => !ours.includes(p));
      const parts = [
        free.length > 0 ? `${free.join(", ")} free` : "",
        ours.length > 0 ? `${ours.join(", ")} held by the ${plan.cluster.provider} cluster` : "",
      ];
      return ok(parts.filter((p) => p !== "").join("; "), details);
    }
    const named = busy.map((b) => `${b.port} (held by ${b.holder ?? "a process the OS does not name to this user"})`);
    const first = busy[0] as { port: number; holder?: string };
    const pid = first.holder ? /pid (\d+)/.exec(first.holder)?.[1] : undefined;
    const see = `sudo ss -ltnp 'sport = :${first.port}'`;
    const fix = pid
      ? `Stop the process holding the port (e.g. kill ${pid}, or stop its service), or ${plan.cluster.provider === "kind" ? "change the kind port mappings" : "free the port"}; see ${see}`
      : `Find and stop what holds the port: ${see}`;
    return fail(`busy: ${named.join(", ")}`, fix, details);
  },
};
