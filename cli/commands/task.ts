/**
 * `cto task run`: start a first task without GitHub — the platform's task object (a CodeRun) for an
 * agent, a repository and an issue, the same object a GitHub event leads to. Work: cli/task/run.ts.
 */
import type { Command } from "@commander-js/extra-typings";
import { envFlag, examples, fileFlag, jsonFlag, processIO, type OptionsOf } from "../context.js";

export function defineRun(task: Command) {
  return task
    .command("run")
    .description(
      "ask an agent to work on an issue: creates the platform's task object (CodeRun) and reports it accepted",
    )
    .requiredOption("--agent <AGENT>", "an enabled agent of the environment (e.g. rex)")
    .requiredOption("--repo <OWNER/REPO>", "the repository the agent works in")
    .requiredOption("--issue <NUMBER>", "the issue (or pull request) number the task is about")
    .option("--type <TYPE>", "implementation, review, remediate, documentation or intake", "implementation")
    .option("--timeout <SECONDS>", "how long to wait for the controller to pick the task up (real clusters)", "120")
    .option("--no-wait", "report the task accepted once it is stored; do not wait for the controller")
    .addOption(fileFlag())
    .addOption(envFlag())
    .addOption(jsonFlag());
}

/** `cto task run`'s options, typed from the flags declared above (its run function takes them). */
export type TaskRunOptions = OptionsOf<ReturnType<typeof defineRun>>;

export function register(program: Command): void {
  const task = program.command("task").description("start agent tasks by hand (no GitHub event needed)");
  const run = defineRun(task);
  examples(run, [
    "cto task run --agent rex --repo acme/platform --issue 1",
    "cto task run --agent rex --repo acme/platform --issue 42 --type review --env prod --json",
  ]);
  run.addHelpText(
    "after",
    "\nThe task is a CodeRun in the platform namespace, labelled cto.dev/agent=<agent> and\n" +
      "cto.dev/event=manual: kubectl get coderuns -n <namespace> lists it. On a real cluster cto waits\n" +
      "(--timeout) until the controller sets its phase; on the simulated cluster no controller runs,\n" +
      "so the task is reported accepted once the API server stored it. Exit 1 when the cluster refused\n" +
      "it or the controller did not pick it up in time.\n",
  );
  run.action(async (options) => {
    const { runTask } = await import("../task/run.js");
    process.exitCode = await runTask(options, processIO());
  });
}
