/**
 * `Cluster` (`cto:cluster:Cluster`): provisions or adopts the Kubernetes cluster and exposes the
 * `k8s.Provider` that every other component passes to its children, plus the kubeconfig as a
 * secret output and the API server endpoint.
 *
 * Providers (the plan's `cluster.provider`):
 * - `existing` — adopts a cluster: the caller passes the kubeconfig content (the program reads
 *   the file; components never read files) and the context to use.
 * - `k3s` — without `nodes`: a single node on this machine (`local-k3s.ts`); with `nodes`: servers
 *   and agents over SSH (`remote-k3s.ts`: the checked release binary copied over SSH, no install
 *   script, no sudo). On k3s the bundled `local-path` StorageClass is made the default class
 *   explicitly.
 * - `kind`, `minikube` — local commands (`kind.ts`, `minikube.ts`).
 * - `simulated` — a kwok cluster (real API server, simulated nodes) through the Node dynamic
 *   resource `SimulatedCluster` (`simulated.ts`), the only provisioner that runs without the
 *   `command` plugin. It gets a default StorageClass `standard` (no provisioner: simulated nodes
 *   run no volumes).
 *
 * The cluster is never created by a Helm release or anything else that needs the cluster itself:
 * every command-based provisioner ends by reading the kubeconfig back as a secret, and the
 * provider is built from that text, so the rest of the graph waits on it through outputs.
 */
import path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan, Plan } from "../../profiles/plan.js";
import { platformLabels } from "../labels.js";
import { registryHost } from "../../templates/pull-secret.js";
import { localRegistryContainerName } from "../registry.js";
import { createKind } from "./kind.js";
import { kubeconfigEndpoint } from "./kubeconfig.js";
import { KubeconfigFile } from "./kubeconfig-file.js";
import { createLocalK3s } from "./local-k3s.js";
import { createMinikube } from "./minikube.js";
import { createRemoteK3s, type K3sHostBinary, type SshAccess } from "./remote-k3s.js";
import { SimulatedCluster, SimulatedKubeconfig } from "./simulated.js";

export interface ClusterArgs {
  /** The plan: `cluster` says what to provision, `platform.labels` label what we create. */
  plan: Plan;
  /**
   * For `existing`: the kubeconfig content (the program reads `cluster.kubeconfig` or the default
   * kubeconfig). Without it the kubernetes provider falls back to its own defaults
   * (`KUBECONFIG`, `~/.kube/config`) and `endpoint` is unknown.
   */
  existingKubeconfig?: pulumi.Input<string>;
  /** For `k3s` with `nodes`: SSH keys by host, or an agent socket. */
  ssh?: SshAccess;
  /**
   * For `k3s` with `nodes`: the checked k3s release binary of each host architecture on this
   * machine (path and SHA-256), copied to the hosts over SSH.
   */
  k3sBinaries?: Partial<Record<"amd64" | "arm64", K3sHostBinary>>;
  /**
   * For `simulated`: where the kwok binaries are, and kwokctl's working directory (default: `kwok`
   * next to the plan's `kubeconfigPath`).
   */
  simulated?: { binDir?: string; workdir?: string };
}

/** The provisioned (or adopted) cluster and a provider bound to it. */
export class Cluster extends pulumi.ComponentResource {
  /** Provider every platform resource uses. */
  public readonly provider: k8s.Provider;
  /** Admin kubeconfig (secret); for `existing` without content: the empty string. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** API server URL, or "" when not known. */
  public readonly endpoint: pulumi.Output<string>;
  /** `cluster.provider` of the plan. */
  public readonly providerName: ClusterPlan["provider"];
  /** Version of the cluster software cto installed ("" for an existing cluster). */
  public readonly version: string;

  constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:cluster:Cluster", name, {}, opts);
    const cluster = args.plan.cluster;
    this.providerName = cluster.provider;
    const provisioned = provisionCluster(name, args, this);
    this.kubeconfig = provisioned.kubeconfig;
    this.version = provisioned.version;
    this.endpoint = pulumi.unsecret(
      this.kubeconfig.apply((text) => (text ? (kubeconfigEndpoint(text, provisioned.context) ?? "") : "")),
    );

    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        ...(provisioned.hasKubeconfig ? { kubeconfig: this.kubeconfig } : {}),
        ...(provisioned.context ? { context: provisioned.context } : {}),
        enableServerSideApply: true,
        // Our ConfigMaps have fixed names that running pods read (the controller's cto-config.json):
        // a change updates them in place, as kubectl apply would, instead of the provider's default
        // of deleting and recreating them.
        enableConfigMapMutable: true,
        // Same for Secrets (agent API keys, App credentials): `cto secrets set` updates the Secret
        // in place instead of deleting and recreating it under the pods that mount it.
        enableSecretMutable: true,
      },
      { parent: this },
    );

    if (cluster.provider === "k3s") {
      // k3s ships local-path-provisioner; make sure its class is the default one.
      new k8s.storage.v1.StorageClassPatch(
        `${name}-default-storage`,
        {
          metadata: {
            name: "local-path",
            annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
            labels: platformLabels(args.plan, "cluster"),
          },
        },
        { parent: this, provider: this.provider },
      );
    }

    if (cluster.provider === "simulated") {
      // A simulated cluster has no volume provisioner, but the checks and charts expect a default
      // StorageClass as on any real cluster. Claims against it stay Pending (no pod runs anyway).
      new k8s.storage.v1.StorageClass(
        `${name}-default-storage`,
        {
          metadata: {
            name: "standard",
            annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
            labels: platformLabels(args.plan, "cluster"),
          },
          provisioner: "kubernetes.io/no-provisioner",
          volumeBindingMode: "WaitForFirstConsumer",
        },
        { parent: this, provider: this.provider },
      );
    }

    this.registerOutputs({
      kubeconfig: this.kubeconfig,
      endpoint: this.endpoint,
      providerName: this.providerName,
      version: this.version,
    });
  }
}

interface Provisioned {
  kubeconfig: pulumi.Output<string>;
  hasKubeconfig: boolean;
  context?: string;
  version: string;
}

/** Runs the provisioner for the plan's cluster provider. Exported for tests. */
export function provisionCluster(name: string, args: ClusterArgs, parent: pulumi.Resource): Provisioned {
  const cluster = args.plan.cluster;
  switch (cluster.provider) {
    case "existing": {
      const given = args.existingKubeconfig !== undefined;
      return {
        kubeconfig: pulumi.secret(pulumi.output(args.existingKubeconfig ?? "")),
        hasKubeconfig: given,
        ...(cluster.context ? { context: cluster.context } : {}),
        version: "",
      };
    }
    case "k3s": {
      const made =
        cluster.nodes.length === 0
          ? createLocalK3s(name, cluster, parent)
          : createRemoteK3s(name, cluster, args.ssh ?? {}, args.k3sBinaries ?? {}, parent);
      return { kubeconfig: made.kubeconfig, hasKubeconfig: true, version: cluster.version };
    }
    case "kind": {
      const registry = args.plan.registry;
      const localRegistry =
        registry.type === "local"
          ? { address: registryHost(registry.url), endpoint: `http://${localRegistryContainerName(cluster.name)}:5000` }
          : undefined;
      const made = createKind(name, cluster, parent, localRegistry);
      return { kubeconfig: made.kubeconfig, hasKubeconfig: true, version: cluster.version };
    }
    case "minikube":
      return {
        kubeconfig: createMinikube(name, cluster, parent).kubeconfig,
        hasKubeconfig: true,
        version: cluster.version,
      };
    case "simulated": {
      const workdir = args.simulated?.workdir ?? path.posix.join(path.posix.dirname(cluster.kubeconfigPath), "kwok");
      const simulated = new SimulatedCluster(
        `${name}-simulated`,
        {
          name: cluster.name,
          nodes: cluster.nodes,
          cpu: cluster.cpu,
          memory: cluster.memory,
          workdir,
          binDir: args.simulated?.binDir,
        },
        { parent },
      );
      // Read separately so that resizing the cluster does not preview as a new provider.
      const access = new SimulatedKubeconfig(
        `${name}-simulated-kubeconfig`,
        { name: cluster.name, workdir, cluster: simulated.id },
        { parent },
      );
      const kubeconfig = pulumi.secret(access.kubeconfig);
      // cto status and kubectl find the cluster at the plan's kubeconfigPath, as for other providers.
      new KubeconfigFile(`${name}-kubeconfig-file`, { path: cluster.kubeconfigPath, content: kubeconfig }, { parent });
      return { kubeconfig, hasKubeconfig: true, version: "" };
    }
  }
}
