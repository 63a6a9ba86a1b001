/**
 * Combinations of settings the components cannot build, rejected before any resource is created.
 * Each rule has a stable id and a message that names the config path and the fix. The messages
 * are part of the user interface (and asserted by test/components/validate.test.ts):
 *
 * | id | when |
 * | --- | --- |
 * | `ha-single-node` | `features.high_availability` on a cluster that is one node on this machine (k3s without `cluster.nodes`, kind, minikube) |
 * | `ha-too-few-servers` | `features.high_availability` with k3s over SSH and fewer than three servers |
 * | `ha-too-few-simulated-nodes` | `features.high_availability` on a simulated cluster with fewer than two nodes |
 * | `k3s-no-server` | `cluster.nodes` lists agents but no server |
 * | `k3s-even-servers` | an even number (≥ 2) of k3s servers: embedded etcd cannot keep quorum |
 * | `backup-without-store` | `features.backup` without a `backup:` section naming a bucket |
 * | `missing-dependency` | an enabled component needs one the plan leaves out |
 * | `local-registry-remote-nodes` | `registry.type: local` with k3s nodes on other hosts |
 * | `missing-secret` | a secret the plan says it has (registry password, tunnel token) has no value |
 */
import { UserError } from "../config/errors.js";
import type { Plan, PlanSecrets } from "../profiles/plan.js";

/** One rejected combination. */
export interface PlanProblem {
  id: string;
  message: string;
  hint: string;
}

/** Every problem with the plan, in a stable order; empty when the plan can be built. */
export function findPlanProblems(plan: Plan, secrets: PlanSecrets): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (id: string, message: string, hint: string) => problems.push({ id, message, hint });
  const { cluster, features } = plan;

  if (cluster.provider === "k3s" && cluster.nodes.length > 0) {
    const servers = cluster.nodes.filter((n) => n.role === "server").length;
    if (servers === 0) {
      add(
        "k3s-no-server",
        "cluster.nodes lists only agents: a k3s cluster needs at least one node with role: server",
        "give the first node role: server in cluster.nodes",
      );
    } else if (servers % 2 === 0) {
      add(
        "k3s-even-servers",
        `cluster.nodes has ${servers} k3s servers: embedded etcd needs an odd number of servers to keep quorum`,
        "use one server (no high availability) or three servers",
      );
    }
  }

  if (features.highAvailability) {
    const singleNode =
      (cluster.provider === "k3s" && cluster.nodes.length === 0) ||
      cluster.provider === "kind" ||
      cluster.provider === "minikube";
    if (singleNode) {
      add(
        "ha-single-node",
        `features.high_availability needs several nodes, but cluster.provider ${cluster.provider} runs a single node on this machine`,
        "set features.high_availability: false, or use cluster.provider: k3s with three servers in cluster.nodes, or cluster.provider: existing",
      );
    } else if (cluster.provider === "k3s") {
      const servers = cluster.nodes.filter((n) => n.role === "server").length;
      if (servers > 0 && servers < 3) {
        add(
          "ha-too-few-servers",
          `features.high_availability with k3s needs three servers (embedded etcd), but cluster.nodes has ${servers}`,
          "add servers to cluster.nodes (role: server) or set features.high_availability: false",
        );
      }
    } else if (cluster.provider === "simulated" && cluster.nodes < 2) {
      add(
        "ha-too-few-simulated-nodes",
        `features.high_availability spreads replicas over nodes, but cluster.simulated.nodes is ${cluster.nodes}`,
        "set cluster.simulated.nodes to 2 or more, or features.high_availability: false",
      );
    }
  }

  if (features.backup && !plan.backup?.bucket) {
    add(
      "backup-without-store",
      "features.backup is on but no object store is configured: backup.bucket is not set",
      "add a backup: section with provider and bucket to cto.yaml, or set features.backup: false",
    );
  }

  const enabled = new Set(plan.components.map((c) => c.name));
  for (const component of plan.components) {
    for (const dependency of component.dependencies) {
      if (!enabled.has(dependency)) {
        add(
          "missing-dependency",
          `component ${component.name} needs ${dependency}, which this plan leaves out`,
          `enable ${dependency} (or the feature that brings it) or disable ${component.name}`,
        );
      }
    }
  }

  if (plan.registry.type === "local" && cluster.provider === "k3s" && cluster.nodes.length > 0) {
    add(
      "local-registry-remote-nodes",
      "registry.type local runs a registry on this machine, which k3s nodes on other hosts (cluster.nodes) cannot pull from",
      "use an external registry (registry.type ghcr, dockerhub, generic, ...) for a cluster on other hosts",
    );
  }

  if (plan.registry.hasCredentials && secrets["registry.password"] === undefined) {
    add(
      "missing-secret",
      "registry.password is expected (the plan has registry credentials) but no value was given",
      "set registry.password in cto.yaml (e.g. from ${REGISTRY_PASSWORD}) and run again",
    );
  }
  const tunnel = plan.github.tunnel.provider;
  if ((tunnel === "cloudflare" || tunnel === "ngrok") && secrets["github.tunnel.token"] === undefined) {
    add(
      "missing-secret",
      `github.tunnel.provider ${tunnel} needs a token, but github.tunnel.token is not set`,
      "set github.tunnel.token in cto.yaml (e.g. from ${TUNNEL_TOKEN}), or use github.tunnel.provider: smee",
    );
  }
  return problems;
}

/** Throws a `UserError` listing every problem (exit code 2); returns quietly when there is none. */
export function assertBuildablePlan(plan: Plan, secrets: PlanSecrets): void {
  const problems = findPlanProblems(plan, secrets);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.message}\n      fix: ${p.hint}`);
  const header =
    problems.length === 1
      ? "1 setting combination cannot be built:"
      : `${problems.length} setting combinations cannot be built:`;
  throw new UserError(`environment ${plan.environment}: ${header}\n${lines.join("\n")}`, {
    hint: problems.length === 1 ? problems[0]?.hint : "fix each combination listed above in cto.yaml",
  });
}
