/**
 * minikube through local commands: one profile named after the cluster, with the plan's CPU and
 * memory, its kubeconfig written to the plan's `kubeconfigPath` (mode 0600) through `KUBECONFIG`.
 * `delete` removes the profile.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../../profiles/plan.js";

type MinikubePlan = Extract<ClusterPlan, { provider: "minikube" }>;

export const MINIKUBE_START = [
  "set -eu",
  'mkdir -p "$(dirname "$KUBECONFIG")"',
  'minikube start --profile "$CLUSTER_NAME" --cpus "$CPUS" --memory "${MEMORY_MIB}mb" --wait all',
  'chmod 600 "$KUBECONFIG"',
].join("\n");

export const MINIKUBE_DELETE = 'minikube delete --profile "$CLUSTER_NAME"; rm -f "$KUBECONFIG"';

export function createMinikube(
  name: string,
  plan: MinikubePlan,
  parent: pulumi.Resource,
): { start: command.local.Command; kubeconfig: pulumi.Output<string> } {
  const environment = {
    CLUSTER_NAME: plan.name,
    CPUS: String(plan.cpus),
    MEMORY_MIB: String(plan.memoryMiB),
    KUBECONFIG: plan.kubeconfigPath,
  };
  const start = new command.local.Command(
    `${name}-minikube`,
    { create: MINIKUBE_START, delete: MINIKUBE_DELETE, environment, triggers: [plan.cpus, plan.memoryMiB] },
    { parent },
  );
  const read = new command.local.Command(
    `${name}-kubeconfig`,
    {
      create: 'cat "$KUBECONFIG"',
      environment: { KUBECONFIG: plan.kubeconfigPath },
      logging: "stderr",
      triggers: [start.id],
    },
    { parent, dependsOn: [start], additionalSecretOutputs: ["stdout"] },
  );
  return { start, kubeconfig: pulumi.secret(read.stdout) };
}
