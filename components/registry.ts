/**
 * `Registry` (`cto:registry:Registry`): where the platform's images come from.
 *
 * - `registry.type: local` on a kind cluster: a registry container on this machine's Docker
 *   (`@pulumi/docker`), published on the port of `registry.url` and attached to kind's Docker
 *   network, where the kind nodes reach it by container name (the kind configuration maps
 *   `registry.url` to it, see `cluster/kind.ts`). On other single-machine clusters a local
 *   registry is expected to exist already (k3s and minikube bring their own ways to serve one),
 *   so nothing is created.
 * - An external registry with credentials: a `kubernetes.io/dockerconfigjson` pull secret, named
 *   and placed as rendered (`secrets.registry`), holding `registry.username` and the stack secret
 *   `registry.password` (templates/pull-secret.ts; `cto render` builds the same document). The
 *   controller chart's `imagePullSecrets` refer to it.
 */
import * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { dockerConfigJson, registryHost } from "../templates/pull-secret.js";
import { MANAGED_BY, MANAGED_BY_LABEL, PART_OF_LABEL, platformLabels } from "./labels.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret } from "./platform-secret.js";

/** Image of the local registry container (the CNCF Distribution registry). */
export const LOCAL_REGISTRY_IMAGE = "registry:2";
/** Docker network kind puts its nodes on. */
export const KIND_NETWORK = "kind";

/** Container name of the local registry for a cluster (what kind's containerd is pointed at). */
export function localRegistryContainerName(clusterName: string): string {
  return `${clusterName}-registry`;
}

/** Host port of a `host:port` registry address (5000 when none is given). */
export function registryPort(url: string): number {
  const match = /:(\d+)(\/|$)/.exec(url);
  return match ? Number(match[1]) : 5000;
}

export interface RegistryArgs {
  plan: Plan;
  rendered: RenderedValues;
  secrets: PlanSecrets;
  provider: k8s.Provider;
  base: PlatformBase;
  /**
   * Image of the local registry container (a mirror's copy for air-gapped sites).
   * @default LOCAL_REGISTRY_IMAGE
   */
  localRegistryImage?: string;
}

export class Registry extends pulumi.ComponentResource {
  /** The local registry container, when one is run. */
  public readonly container: docker.Container | undefined;
  /** The image pull secret, when the registry needs credentials. */
  public readonly pullSecret: k8s.core.v1.Secret | undefined;

  constructor(name: string, args: RegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:registry:Registry", name, {}, opts);
    const { plan, rendered } = args;

    if (plan.registry.type === "local" && plan.cluster.provider === "kind") {
      const image = new docker.RemoteImage(
        `${name}-image`,
        { name: args.localRegistryImage ?? LOCAL_REGISTRY_IMAGE, keepLocally: true },
        { parent: this },
      );
      this.container = new docker.Container(
        `${name}-local`,
        {
          name: localRegistryContainerName(plan.cluster.name),
          image: image.imageId,
          restart: "always",
          ports: [{ internal: 5000, external: registryPort(plan.registry.url), ip: "127.0.0.1" }],
          networksAdvanced: [{ name: KIND_NETWORK }],
          labels: [
            { label: MANAGED_BY_LABEL, value: MANAGED_BY },
            { label: PART_OF_LABEL, value: platformLabels(plan)[PART_OF_LABEL] as string },
          ],
        },
        { parent: this },
      );
    }

    // The templates define the pull secret when the registry has credentials, whatever its type,
    // and the controller's values then name it; cto render writes it under the same rule.
    const spec = rendered.secrets.registry;
    if (spec) {
      const password = args.secrets["registry.password"];
      if (password === undefined) {
        throw new pulumi.ResourceError("registry.password is required for the registry pull secret", this);
      }
      this.pullSecret = createPlatformSecret(`${name}-pull-secret`, {
        plan,
        spec,
        values: {
          ".dockerconfigjson": dockerConfigJson(
            registryHost(plan.registry.url),
            plan.registry.username ?? "",
            password,
          ),
        },
        provider: args.provider,
        parent: this,
        dependsOn: [args.base.namespace(spec.namespace)],
        component: "registry",
      });
    }
    this.registerOutputs({});
  }
}
