/**
 * k3s on hosts reachable over SSH, through `@pulumi/command` remote commands.
 *
 * Topology follows the plan's `cluster.nodes`: the first server initialises the cluster, further
 * servers join it (three servers → embedded etcd, `--cluster-init`, the high-availability layout),
 * agents join the first server. One join token is generated (`GeneratedSecret`) and reaches each
 * host on the command's stdin, never in a command line or an SSH environment variable.
 *
 * Each node's `delete` runs k3s' uninstall script for its role, and joins depend on the first
 * server, so a destroy removes agents and joining servers before the first server.
 * The kubeconfig is read from the first server (a secret output), pointed at that server's
 * address, and written locally to the plan's `kubeconfigPath` with mode 0600 (`KubeconfigFile`).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan, SshNodePlan } from "../../profiles/plan.js";
import { GeneratedSecret } from "../generated-secret.js";
import { pointKubeconfigAt } from "./kubeconfig.js";
import { KubeconfigFile } from "./kubeconfig-file.js";

type K3sPlan = Extract<ClusterPlan, { provider: "k3s" }>;

/** How to reach the hosts: private keys by host (read by the caller), or an SSH agent. */
export interface SshAccess {
  /** Private key contents by host (secret). */
  privateKeys?: Record<string, pulumi.Input<string>>;
  /** SSH agent socket, used for hosts without a key. */
  agentSocketPath?: string;
}

/**
 * The install script for one node. Reads the token from stdin; K3S_SERVER_ARGS / K3S_URL come
 * from the script text itself because remote environment variables depend on the host's sshd
 * `AcceptEnv` setting. Only plan values validated by the config schema (host names, version,
 * URL) are interpolated, each single-quoted.
 */
export function remoteK3sScript(
  plan: K3sPlan,
  node: SshNodePlan,
  role: "init" | "join-server" | "agent",
  firstServer: string,
): string {
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const flags =
    role === "agent"
      ? `agent --server ${q(`https://${firstServer}:6443`)}`
      : role === "init"
        ? `server --cluster-init --disable traefik --tls-san ${q(node.host)}`
        : `server --server ${q(`https://${firstServer}:6443`)} --disable traefik --tls-san ${q(node.host)}`;
  return [
    "set -eu",
    "IFS= read -r K3S_TOKEN",
    "export K3S_TOKEN",
    `curl -sfL ${q(plan.installScriptUrl)} | INSTALL_K3S_VERSION=${q(plan.version)} sh -s - ${flags}`,
    // The first server waits for its local-path StorageClass, which Cluster patches to default.
    ...(role === "init"
      ? ["for _ in $(seq 90); do sudo k3s kubectl get storageclass local-path >/dev/null 2>&1 && break; sleep 2; done"]
      : []),
  ].join("\n");
}

const UNINSTALL = {
  server: "if [ -x /usr/local/bin/k3s-uninstall.sh ]; then sudo /usr/local/bin/k3s-uninstall.sh; fi",
  agent: "if [ -x /usr/local/bin/k3s-agent-uninstall.sh ]; then sudo /usr/local/bin/k3s-agent-uninstall.sh; fi",
} as const;

/** Creates every node's install command and the kubeconfig; returns the kubeconfig (secret). */
export function createRemoteK3s(
  name: string,
  plan: K3sPlan,
  access: SshAccess,
  parent: pulumi.Resource,
): { nodes: command.remote.Command[]; token: GeneratedSecret; kubeconfig: pulumi.Output<string> } {
  const servers = plan.nodes.filter((n) => n.role === "server");
  const agents = plan.nodes.filter((n) => n.role === "agent");
  const first = servers[0];
  if (!first) throw new pulumi.ResourceError("k3s over SSH needs at least one server in cluster.nodes", parent);

  const token = new GeneratedSecret(`${name}-k3s-token`, { length: 48 }, { parent });
  const connection = (node: SshNodePlan) => ({
    host: node.host,
    user: node.user,
    port: node.port,
    ...(access.privateKeys?.[node.host] !== undefined
      ? { privateKey: pulumi.secret(access.privateKeys[node.host] as pulumi.Input<string>) }
      : access.agentSocketPath
        ? { agentSocketPath: access.agentSocketPath }
        : {}),
  });
  const install = (node: SshNodePlan, role: "init" | "join-server" | "agent", dependsOn: pulumi.Resource[]) =>
    new command.remote.Command(
      `${name}-k3s-${role === "agent" ? "agent" : "server"}-${node.host}`,
      {
        connection: connection(node),
        create: remoteK3sScript(plan, node, role, first.host),
        delete: role === "agent" ? UNINSTALL.agent : UNINSTALL.server,
        stdin: pulumi.secret(token.value),
        triggers: [plan.version, plan.installScriptUrl],
      },
      { parent, dependsOn },
    );

  const init = install(first, "init", []);
  const nodes = [init];
  for (const server of servers.slice(1)) nodes.push(install(server, "join-server", [init]));
  for (const agent of agents) nodes.push(install(agent, "agent", [init]));

  const read = new command.remote.Command(
    `${name}-kubeconfig`,
    {
      connection: connection(first),
      create: "sudo cat /etc/rancher/k3s/k3s.yaml",
      logging: "stderr",
      triggers: [init.id],
    },
    { parent, dependsOn: [init], additionalSecretOutputs: ["stdout"] },
  );
  const kubeconfig = pulumi.secret(read.stdout.apply((text) => pointKubeconfigAt(text, first.host)));
  new KubeconfigFile(
    `${name}-kubeconfig-file`,
    { path: plan.kubeconfigPath, content: kubeconfig },
    { parent, dependsOn: [read] },
  );
  return { nodes, token, kubeconfig };
}
