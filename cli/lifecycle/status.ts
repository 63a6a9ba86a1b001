/** `cto status`: outputs, last update, locks and component health. */
import type { Plan } from "../../profiles/plan.js";
import { load, type LifecycleCommandOptions, type LifecycleIO } from "./session.js";

/** `cto status`: exit 1 when a component is unhealthy or the stack is locked by a dead run. */
export async function runStatus(options: LifecycleCommandOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { describeLock } = await import("../../stacks/lock.js");
  const st = await lifecycle.status(plan, secrets, { env: io.env });
  const kubeconfig = kubeconfigOf(plan, io.env);
  let health: import("../../stacks/diagnose/index.js").HealthReport | undefined;
  if (st.resourceCount > 0 && kubeconfig) {
    const { componentHealth } = await import("../../stacks/diagnose/index.js");
    health = await componentHealth(kubeconfig, plan, { diagnoseProblems: !options.json });
  }
  const healthy = health ? health.healthy : true;
  if (options.json) {
    io.out(JSON.stringify({ ...st, healthy, health }));
    return healthy ? 0 : 1;
  }
  io.out(`${st.project}/${st.environment}  (${st.backend})`);
  io.out(
    st.lastUpdate
      ? `Last update: ${st.lastUpdate.kind} ${st.lastUpdate.result} at ${st.lastUpdate.startTime} (engine update ${st.lastUpdate.version})`
      : "Last update: never",
  );
  io.out(`Resources: ${st.resourceCount}`);
  for (const l of st.locks) io.out(`Locked by ${describeLock(l)}`);
  const outputs = Object.entries(st.outputs);
  if (outputs.length > 0) {
    io.out("Outputs:");
    for (const [k, v] of outputs) io.out(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  if (health) {
    const { renderHealth } = await import("../../stacks/diagnose/index.js");
    io.out("");
    io.out(renderHealth(health));
  } else if (st.resourceCount > 0) {
    io.out("Component health: no kubeconfig known for this cluster (set cluster.kubeconfig in cto.yaml)");
  }
  return healthy ? 0 : 1;
}

/** Where the plan's cluster kubeconfig is, if known. */
function kubeconfigOf(plan: Plan, env: NodeJS.ProcessEnv): string | undefined {
  const c = plan.cluster;
  if (c.provider === "existing") return c.kubeconfig ?? env.KUBECONFIG?.split(":")[0];
  return c.kubeconfigPath;
}
