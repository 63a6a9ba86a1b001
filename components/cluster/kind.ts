/**
 * kind (Kubernetes in Docker) through local commands. The node image comes from the plan (it
 * pins the Kubernetes version; a mirror's image works the same), and every port of the plan's
 * `portMappings` is published from the control-plane container on the same host port, the PRD's
 * layout (80/443 for ingress, UIs on their own ports). The control-plane node carries
 * `ingress-ready=true` so an ingress controller can select it. The kind configuration travels
 * on stdin; names and paths travel as environment variables.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ClusterPlan } from "../../profiles/plan.js";
import { readLocalKubeconfig } from "./read-kubeconfig.js";

type KindPlan = Extract<ClusterPlan, { provider: "kind" }>;

/** A registry on this machine that kind's containerd should pull `address/...` images from. */
export interface KindLocalRegistry {
  /** Address images are tagged with, e.g. `localhost:5001`. */
  address: string;
  /** URL of the registry container on kind's Docker network, e.g. `http://dev-registry:5000`. */
  endpoint: string;
}

/** The kind cluster configuration (YAML) for a plan. */
export function kindConfig(plan: KindPlan, localRegistry?: KindLocalRegistry): string {
  return stringify({
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    ...(localRegistry
      ? {
          containerdConfigPatches: [
            `[plugins."io.containerd.grpc.v1.cri".registry.mirrors.${JSON.stringify(localRegistry.address)}]\n  endpoint = [${JSON.stringify(localRegistry.endpoint)}]\n`,
          ],
        }
      : {}),
    nodes: [
      {
        role: "control-plane",
        kubeadmConfigPatches: [
          stringify({
            kind: "InitConfiguration",
            nodeRegistration: { kubeletExtraArgs: { "node-labels": "ingress-ready=true" } },
          }),
        ],
        extraPortMappings: plan.portMappings.map((port) => ({ containerPort: port, hostPort: port, protocol: "TCP" })),
      },
    ],
  });
}

export const KIND_CREATE = [
  "set -eu",
  'mkdir -p "$(dirname "$KUBECONFIG_PATH")"',
  'kind create cluster --name "$CLUSTER_NAME" --image "$NODE_IMAGE" --kubeconfig "$KUBECONFIG_PATH" --config - --wait 120s',
  'chmod 600 "$KUBECONFIG_PATH"',
].join("\n");

export const KIND_DELETE =
  'kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_PATH"; rm -f "$KUBECONFIG_PATH"';

export function createKind(
  name: string,
  plan: KindPlan,
  parent: pulumi.Resource,
  localRegistry?: KindLocalRegistry,
): { create: command.local.Command; kubeconfig: pulumi.Output<string> } {
  const environment = { CLUSTER_NAME: plan.name, NODE_IMAGE: plan.nodeImage, KUBECONFIG_PATH: plan.kubeconfigPath };
  const create = new command.local.Command(
    `${name}-kind`,
    {
      create: KIND_CREATE,
      delete: KIND_DELETE,
      environment,
      stdin: kindConfig(plan, localRegistry),
      triggers: [plan.nodeImage],
    },
    { parent },
  );
  return { create, kubeconfig: readLocalKubeconfig(name, plan.kubeconfigPath, create, parent) };
}
