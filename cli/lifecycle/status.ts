/** `cto status`: outputs, last update, locks and component health. */
import type { Plan } from "../../profiles/plan.js";
import type { KubeTarget } from "../../stacks/diagnose/index.js";
import { clusterKubeconfig } from "../../stacks/kube-target.js";
import type { RunContext } from "../../stacks/run-context.js";
import { load, type LifecycleIO } from "./session.js";
import type { StatusOptions } from "../commands/status.js";

/** `cto status`: exit 1 when a component is unhealthy or the stack is locked by a dead run. */
export async function runStatus(options: StatusOptions, io: LifecycleIO): Promise<number> {
  const { plan, secrets, context } = await load(options, io);
  const lifecycle = await import("../../stacks/lifecycle/index.js");
  const { describeLock } = await import("../../stacks/lock.js");
  const st = await lifecycle.status(plan, secrets, { context });
  // The cluster as every other command reaches it: cto.yaml's kubeconfig and context, ~ expanded.
  const target = clusterKubeconfig(plan, io.env);
  let health: import("../../stacks/diagnose/index.js").HealthReport | undefined;
  if (st.resourceCount > 0) {
    const { componentHealth } = await import("../../stacks/diagnose/index.js");
    health = await componentHealth(target, plan, { diagnoseProblems: !options.json });
  }
  const healthy = health ? health.healthy : true;
  const ready = st.resourceCount > 0 ? await readinessOf(plan, context, target) : undefined;
  if (options.json) {
    io.out(JSON.stringify({ ...st, healthy, health, readiness: ready ?? null }));
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
  }
  const { readyLine } = await import("../../stacks/readiness.js");
  const { printRouteNote } = await import("./apply.js");
  io.out("");
  printRouteNote(plan, io, false);
  io.out(
    ready
      ? readyLine(ready)
      : `Ready for tasks: no — the platform is not installed in ${plan.environment}. Fix: cto up --env ${plan.environment}`,
  );
  return healthy ? 0 : 1;
}

/**
 * Whether the platform can take a task (`stacks/readiness.ts`): the cluster's side through kubectl,
 * GitHub's side through each agent's stored App credentials (an App without them is "no App").
 */
async function readinessOf(
  plan: Plan,
  runContext: RunContext,
  target: KubeTarget,
): Promise<import("../../stacks/readiness.js").Readiness> {
  const { platformReadiness } = await import("../../stacks/readiness.js");
  const { Kubectl } = await import("../../stacks/diagnose/index.js");
  let github: import("../../stacks/readiness.js").AppRegistration[] | undefined;
  try {
    const { GitHubApi, githubStatus } = await import("../../stacks/github/index.js");
    const { openStoreFor } = await import("../secrets/run.js");
    const store = await openStoreFor({ plan, context: runContext });
    const api = new GitHubApi({ baseUrl: plan.github.baseUrl });
    github = await githubStatus(
      api,
      store,
      plan.agents.map((a) => a.name),
      { deliveries: 1 },
    );
  } catch {
    github = undefined; // reported as "not checked"
  }
  return platformReadiness(new Kubectl(target), plan, {
    github,
    probe: async (url) => {
      try {
        const res = await fetch(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(5000) });
        return res.status;
      } catch {
        return undefined;
      }
    },
  });
}
