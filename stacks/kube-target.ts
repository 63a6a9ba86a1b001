/** Which cluster cto talks to directly (kubectl), for the plan's cluster provider. */
import os from "node:os";
import path from "node:path";
import type { Plan } from "../profiles/plan.js";

/** The kubeconfig (and context) cto reaches the plan's cluster with. */
export function clusterKubeconfig(plan: Plan, env: NodeJS.ProcessEnv): { kubeconfig: string; context?: string } {
  const c = plan.cluster;
  const home = env.HOME ?? os.homedir();
  const expand = (p: string) => (p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p);
  if (c.provider === "existing") {
    const kubeconfig = expand(c.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? "~/.kube/config");
    return c.context ? { kubeconfig, context: c.context } : { kubeconfig };
  }
  return { kubeconfig: expand(c.kubeconfigPath) };
}
