/** The work behind `cto task run`: check the request against the plan, create the CodeRun, wait. */
import { UserError } from "../../config/errors.js";
import { githubLogin, githubRepository } from "../../config/schema.js";
import { Kubectl } from "../../stacks/diagnose/kubectl.js";
import { clusterKubeconfig } from "../../stacks/kube-target.js";
import { codeRunFor, createCodeRun, RUN_TYPES, waitForPickup, type RunType } from "../../stacks/tasks.js";
import type { CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { TaskRunOptions } from "../commands/task.js";

/** `cto task run`'s flags, typed from their declaration in cli/commands/task.ts. */
export type TaskOptions = TaskRunOptions;

/** `cto task run`: 0 accepted (and picked up, when waiting), 1 refused or not picked up, 2 bad input. */
export async function runTask(options: TaskOptions, io: CommandIO): Promise<number> {
  const agent = options.agent ?? "";
  const repo = options.repo ?? "";
  const [owner, name, ...rest] = repo.split("/");
  if (rest.length > 0 || !githubLogin.safeParse(owner).success || !githubRepository.safeParse(name).success) {
    throw new UserError(`--repo ${JSON.stringify(repo)} is not OWNER/REPO`, { hint: "e.g. --repo acme/platform" });
  }
  const issue = Number(options.issue);
  if (!Number.isInteger(issue) || issue < 1) {
    throw new UserError(`--issue ${JSON.stringify(options.issue)} is not an issue number`, { hint: "e.g. --issue 1" });
  }
  const runType = options.type ?? "implementation";
  if (!(RUN_TYPES as readonly string[]).includes(runType)) {
    throw new UserError(`--type ${runType} is not a task type`, { hint: `use one of ${RUN_TYPES.join(", ")}` });
  }
  const timeout = Number(options.timeout ?? "120");
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UserError(`--timeout ${options.timeout} is not a number of seconds`, { hint: "e.g. --timeout 300" });
  }
  const { plan } = await loadPlan(options, io);
  if (!plan.agents.some((a) => a.name === agent)) {
    const enabled = plan.agents.map((a) => a.name);
    throw new UserError(`agent ${JSON.stringify(agent)} is not enabled in environment ${plan.environment}`, {
      hint:
        enabled.length > 0
          ? `use one of ${enabled.join(", ")}`
          : `enable it: agents.${agent}.enabled: true in cto.yaml`,
    });
  }

  const k = new Kubectl(clusterKubeconfig(plan, io.env));
  const object = codeRunFor(plan, { agent, repository: `${owner}/${name}`, issue, runType: runType as RunType });
  const created = await createCodeRun(k, object);
  const ns = plan.platform.namespace;
  if (!created.ok) {
    const notInstalled = /no matches for kind|could not find the requested resource|doesn't have a resource type/i.test(
      created.message,
    );
    if (options.json) io.print(JSON.stringify({ accepted: false, error: created.message }));
    throw new UserError(`the cluster did not accept the task: ${created.message}`, {
      hint: notInstalled
        ? `the platform is not installed in environment ${plan.environment}: cto up --env ${plan.environment}`
        : `cto status --env ${plan.environment}`,
      exitCode: 1,
    });
  }
  const where = `coderun/${created.name} in ${ns}`;
  // No controller runs on the simulated cluster (kwok only simulates pods), so nothing would pick it up.
  const wait = options.wait !== false && plan.cluster.provider !== "simulated";
  if (!wait) {
    if (options.json) io.print(JSON.stringify({ accepted: true, name: created.name, namespace: ns, phase: null }));
    else {
      io.print(`Accepted: ${where} (${agent}, ${owner}/${name}#${issue}, ${runType}).`);
      io.print(`Follow it: kubectl -n ${ns} get coderun ${created.name} -w`);
    }
    return 0;
  }
  if (!options.json) io.print(`Accepted: ${where}; waiting up to ${timeout} s for the controller to pick it up…`);
  const phase = await waitForPickup(k, ns, created.name, timeout * 1000);
  if (options.json)
    io.print(JSON.stringify({ accepted: true, name: created.name, namespace: ns, phase: phase ?? null }));
  if (phase === undefined) {
    throw new UserError(`the controller did not pick up ${where} within ${timeout} s`, {
      hint: `check the controller: cto status --env ${plan.environment}; kubectl -n ${ns} logs deployment/cto-controller`,
      exitCode: 1,
    });
  }
  if (!options.json)
    io.print(`Picked up: ${where} is ${phase}. Follow it: kubectl -n ${ns} get coderun ${created.name} -w`);
  return 0;
}
