/** Which cluster cto talks to directly (kubectl), for the plan's cluster provider. */
import path from "node:path";
import { userHome } from "../config/paths.js";
import type { Plan } from "../profiles/plan.js";
import { expandHome } from "./home-path.js";

/**
 * The kubeconfig (and context) cto reaches the plan's cluster with: for an `existing` cluster the
 * file cto.yaml names, else the first file in `KUBECONFIG`, else `~/.kube/config`; for a cluster cto
 * creates, the file it writes. `home` is the user's home (`~`), `$HOME` unless given.
 */
export function clusterKubeconfig(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  home = userHome(env),
): { kubeconfig: string; context?: string } {
  const c = plan.cluster;
  if (c.provider === "existing") {
    const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((p) => p !== "");
    const kubeconfig = expandHome(c.kubeconfig ?? fromEnv ?? "~/.kube/config", home);
    return c.context ? { kubeconfig, context: c.context } : { kubeconfig };
  }
  return { kubeconfig: expandHome(c.kubeconfigPath, home) };
}
