/**
 * A task started by hand (`cto task run`): the platform's own task object, a CodeRun
 * (agents.platform/v1), of the same shape the platform's WorkflowTemplate creates for a GitHub
 * event (templates/platform/objects/workflows.yaml.hbs), labelled `cto.dev/event: manual`.
 * It is created with kubectl against the plan's cluster; then, on a cluster whose controller
 * really runs, cto waits until the controller has picked it up (it sets `status.phase`).
 */
import { githubWebUrl } from "./github/urls.js";
import type { Plan } from "../profiles/plan.js";
import type { Kubectl } from "./diagnose/kubectl.js";
import { createObject, type CreateResult } from "./kube-create.js";

export type { CreateResult };

export const RUN_TYPES = ["implementation", "review", "remediate", "documentation", "intake"] as const;
export type RunType = (typeof RUN_TYPES)[number];

export interface TaskRequest {
  agent: string;
  /** `owner/name`. */
  repository: string;
  /** Issue (or pull request) number the agent works on. */
  issue: number;
  runType: RunType;
}

export interface CodeRunObject {
  apiVersion: "agents.platform/v1";
  kind: "CodeRun";
  metadata: { generateName: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, string | number>;
}

/** The CodeRun for a request; throws nothing (the CLI checked the agent and repository). */
export function codeRunFor(plan: Plan, request: TaskRequest): CodeRunObject {
  const agent = plan.agents.find((a) => a.name === request.agent);
  const app = plan.github.apps.find((a) => a.agent === request.agent);
  const web = githubWebUrl(plan.github.baseUrl);
  const [, name] = request.repository.split("/");
  return {
    apiVersion: "agents.platform/v1",
    kind: "CodeRun",
    metadata: {
      generateName: `${request.agent}-`,
      namespace: plan.platform.namespace,
      labels: { "cto.dev/agent": request.agent, "cto.dev/event": "manual", "app.kubernetes.io/managed-by": "cto" },
    },
    spec: {
      runType: request.runType,
      taskId: request.issue,
      service: name ?? request.repository,
      repositoryUrl: `${web}/${request.repository}`,
      docsRepositoryUrl: `${web}/${plan.github.organization}/${plan.github.repository}`,
      docsProjectDirectory: "docs",
      workingDirectory: ".",
      githubApp: app?.slug ?? app?.appName ?? request.agent,
      implementationAgent: request.agent,
      ...(agent?.model ? { model: agent.model } : {}),
    },
  };
}

/** Creates the CodeRun (see kube-create.ts). */
export function createCodeRun(k: Kubectl, object: CodeRunObject): Promise<CreateResult> {
  return createObject(k, object);
}

/**
 * Waits until the controller sets the CodeRun's phase; returns it, or undefined after `timeoutMs`.
 * `sleep` is injectable for tests.
 */
export async function waitForPickup(
  k: Kubectl,
  namespace: string,
  name: string,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await k.json<{ status?: { phase?: string } }>([
      "get",
      "coderuns.agents.platform",
      name,
      "-n",
      namespace,
      "-o",
      "json",
    ]);
    if (r.ok && r.value.status?.phase) return r.value.status.phase;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(2000, Math.max(0, deadline - Date.now())));
  }
}
