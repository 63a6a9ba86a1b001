/**
 * Host-side inputs of the `Cluster` component, read here because components never read files or
 * the environment: the kubeconfig of an `existing` cluster, SSH keys of k3s hosts and the checked
 * k3s binary of each host architecture (re-hashed against its install receipt), and where the
 * simulated cluster's binaries and working directory are.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ClusterArgs } from "../components/cluster/cluster.js";
import { UserError } from "../config/errors.js";
import { userHome } from "../config/paths.js";
import type { Plan } from "../profiles/plan.js";
import type { ProgramRuntime } from "./program-config.js";
import type { RunContext } from "./run-context.js";
import { expandHome } from "./home-path.js";
import { checkedHostK3s } from "./tools/host-k3s.js";

/** What `readClusterInputs` reads from the run's context. */
export type ClusterInputsHost = Pick<RunContext, "env" | "home" | "toolchainBin">;

/**
 * Reads the cluster's host-side inputs for a plan. Throws `UserError` for a file that is named but
 * missing, and for an SSH host's k3s binary that is missing or changed since it was checked.
 * `host`: the run's environment, cto's home (where the checked k3s binaries are) and the offline
 * toolchain's bin (where a simulated cluster's binaries are unless `runtime.binDir` says
 * otherwise), as the run resolved them (`run-context.ts`).
 */
export function readClusterInputs(
  plan: Plan,
  runtime: ProgramRuntime,
  host: ClusterInputsHost,
): Omit<ClusterArgs, "plan"> {
  const { env, home, toolchainBin } = host;
  const usersHome = userHome(env);
  const cluster = plan.cluster;
  switch (cluster.provider) {
    case "existing": {
      const named = cluster.kubeconfig ? expandHome(cluster.kubeconfig, usersHome) : undefined;
      const candidates = named
        ? [named]
        : [...(env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean), path.join(usersHome, ".kube", "config")];
      const file = candidates.find((f) => existsSync(f));
      if (!file) {
        if (named) {
          throw new UserError(`cluster.kubeconfig: ${named} does not exist`, {
            hint: "point cluster.kubeconfig in cto.yaml at the kubeconfig of the cluster to install into",
          });
        }
        return {};
      }
      return { existingKubeconfig: readFileSync(file, "utf8") };
    }
    case "k3s": {
      const privateKeys: Record<string, string> = {};
      for (const node of cluster.nodes) {
        if (!node.sshKeyPath) continue;
        const file = expandHome(node.sshKeyPath, usersHome);
        if (!existsSync(file)) {
          throw new UserError(`cluster.nodes: the SSH key ${file} of host ${node.host} does not exist`, {
            hint: "fix ssh_key_path for that node in cto.yaml, or remove it to use your SSH agent",
          });
        }
        privateKeys[node.host] = readFileSync(file, "utf8");
      }
      return {
        ssh: { privateKeys, ...(env.SSH_AUTH_SOCK ? { agentSocketPath: env.SSH_AUTH_SOCK } : {}) },
        ...(cluster.nodes.length > 0 ? { k3sBinaries: checkedHostK3s(home, cluster.version, cluster.nodes) } : {}),
      };
    }
    case "simulated": {
      const binDir = runtime.binDir ?? toolchainBin;
      return { simulated: { ...(binDir ? { binDir } : {}), ...(runtime.workdir ? { workdir: runtime.workdir } : {}) } };
    }
    default:
      return {};
  }
}
