/**
 * k3s on hosts reachable over SSH, through `@pulumi/command` remote resources, with the same
 * promises as a single node on this machine (local-k3s.ts):
 *
 * - No install script, no `curl | sh`: the k3s binary is the release file `cto doctor --fix` /
 *   `cto up` downloaded for the host's architecture and checked against the publisher's
 *   `sha256sum-<arch>.txt` and the pinned digest (stacks/tools/host-k3s.ts). The caller re-hashes it
 *   on the workstation and passes its path and SHA-256 (`K3sHostBinary`). A `CopyToRemote` sends it
 *   over the SSH connection to `/var/lib/cto/k3s/`; the host checks its SHA-256 before installing
 *   it (mode 0755) and starts it with the unit and commands of k3s-service.ts.
 * - cto never runs sudo: it connects as root (the config refuses other users) and each script
 *   stops before changing anything when `id -u` is not 0.
 * - Topology follows the plan's `cluster.nodes`: the first server initialises the cluster
 *   (`--cluster-init`: three servers → embedded etcd, the high-availability layout), further
 *   servers and agents join it and depend on it. One join token (`GeneratedSecret`) reaches each
 *   host on the command's stdin and lands in a root-only environment file, never on a command line.
 * - `delete` stops the service cto wrote, ends its containers and removes the binary, unit, token
 *   and state; joins depend on the first server, so a destroy removes them before it. Replacement
 *   (a new version or binary) deletes the command, then the copy, before it creates them again.
 * - The kubeconfig is read from the first server (a secret output, `logging: stderr`), pointed at
 *   that server's address, and written locally to the plan's `kubeconfigPath` with mode 0600.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan, SshNodePlan } from "../../profiles/plan.js";
import { GeneratedSecret } from "../generated-secret.js";
import {
  K3S_ADMIN_KUBECONFIG,
  K3S_ENV_FILE,
  K3S_SYSTEM_BINARY,
  K3S_UNIT_PATH,
  k3sRootRemoveCommands,
  k3sServiceCommands,
  k3sStateRemoveCommands,
  k3sUnit,
} from "./k3s-service.js";
import { pointKubeconfigAt } from "./kubeconfig.js";
import { KubeconfigFile } from "./kubeconfig-file.js";

type K3sPlan = Extract<ClusterPlan, { provider: "k3s" }>;
type Arch = SshNodePlan["arch"];
type Role = "init" | "join-server" | "agent";

/** How to reach the hosts: private keys by host (read by the caller), or an SSH agent. */
export interface SshAccess {
  /** Private key contents by host (secret). */
  privateKeys?: Record<string, pulumi.Input<string>>;
  /** SSH agent socket, used for hosts without a key. */
  agentSocketPath?: string;
}

/** A checked k3s release binary on the workstation: its path and SHA-256 (hex). */
export interface K3sHostBinary {
  path: string;
  sha256: string;
}

/** Where hosts keep the binary cto copied, before it is checked and installed. */
export const REMOTE_STAGING_DIR = "/var/lib/cto/k3s";

export const remoteBinaryPath = (version: string, arch: Arch): string =>
  `${REMOTE_STAGING_DIR}/k3s-${version}-linux-${arch}`;

const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** The script's first lines: stop before any change when not root (cto never runs sudo). */
function rootGuard(node: SshNodePlan, doing: string): string[] {
  return [
    "set -eu",
    'if [ "$(id -u)" != 0 ]; then',
    `  echo ${q(`${doing} on ${node.host} needs root, and cto does not run sudo: connect as root (cluster.nodes[].user: root in cto.yaml, PermitRootLogin prohibit-password on the host). Nothing was changed.`)} >&2`,
    "  exit 1",
    "fi",
  ];
}

/** The `k3s` arguments of a node's service. */
export function remoteK3sArgs(node: SshNodePlan, role: Role, firstServer: string): string {
  const join = `--server https://${firstServer}:6443`;
  if (role === "agent") return `agent ${join}`;
  const server = `--disable traefik --write-kubeconfig-mode 0600 --tls-san ${node.host}`;
  return role === "init" ? `server --cluster-init ${server}` : `server ${join} ${server}`;
}

/**
 * The install script of one node, run as root over SSH with the join token on stdin. Host names,
 * version and digest come from the validated plan (host names: letters, digits, `.:-`; digest:
 * hex), and are single-quoted where they reach the shell.
 */
export function remoteK3sScript(
  plan: K3sPlan,
  node: SshNodePlan,
  role: Role,
  firstServer: string,
  sha256: string,
): string {
  const staged = remoteBinaryPath(plan.version, node.arch);
  const unitFile = `${REMOTE_STAGING_DIR}/k3s.service`;
  const unit = k3sUnit(remoteK3sArgs(node, role, firstServer), role === "agent" ? "k3s agent" : "k3s server", true);
  const machine = node.arch === "amd64" ? "x86_64|amd64" : "aarch64|arm64";
  return [
    ...rootGuard(node, "Installing k3s"),
    `case "$(uname -m)" in ${machine}) ;; *)`,
    `  echo "${node.host} is $(uname -m), but cluster.nodes says arch: ${node.arch} for it; fix arch in cto.yaml. Nothing was changed." >&2`,
    "  exit 1 ;;",
    "esac",
    `if [ -f ${K3S_UNIT_PATH} ] && ! grep -q 'written by cto' ${K3S_UNIT_PATH}; then`,
    `  echo "${node.host} already runs a k3s that cto did not install (${K3S_UNIT_PATH}); remove it first (its k3s-uninstall.sh) or use cluster.provider: existing. Nothing was changed." >&2`,
    "  exit 1",
    "fi",
    "IFS= read -r K3S_TOKEN",
    `staged=${q(staged)}`,
    `[ -f "$staged" ] || { echo "$staged is missing on ${node.host}: the copy did not arrive or was removed; nothing was installed" >&2; exit 1; }`,
    'got=$(sha256sum "$staged" | cut -d " " -f 1)',
    `if [ "$got" != ${q(sha256)} ]; then`,
    `  echo "SHA-256 mismatch for $staged on ${node.host}: expected ${sha256}, got $got: it was changed or damaged after it left this machine; nothing was installed" >&2`,
    "  exit 1",
    "fi",
    `cat >${unitFile} <<'CTO_K3S_UNIT'\n${unit}CTO_K3S_UNIT`,
    `(umask 077 && printf 'K3S_TOKEN=%s\\n' "$K3S_TOKEN" >${K3S_ENV_FILE})`,
    ...k3sServiceCommands({ binary: '"$staged"', unitFile }, false),
    // The first server waits for its local-path StorageClass, which Cluster patches to default.
    ...(role === "init"
      ? [
          `for _ in $(seq 90); do ${K3S_SYSTEM_BINARY} kubectl get storageclass local-path >/dev/null 2>&1 && exit 0; sleep 2; done`,
          `echo "k3s on ${node.host} did not serve its local-path StorageClass within 180 s: see journalctl -u k3s there" >&2`,
          "exit 1",
        ]
      : []),
  ].join("\n");
}

/** The uninstall script of one node (`delete`): only a service cto wrote is removed. */
export function remoteK3sUninstall(node: SshNodePlan): string {
  return [
    ...rootGuard(node, "Removing k3s"),
    `if [ -f ${K3S_UNIT_PATH} ] && grep -q 'written by cto' ${K3S_UNIT_PATH}; then`,
    ...[...k3sRootRemoveCommands(false), ...k3sStateRemoveCommands()].map((c) => `  ${c}`),
    "fi",
    `rm -rf ${REMOTE_STAGING_DIR}`,
  ].join("\n");
}

/** Reads the admin kubeconfig on the first server (as root; no sudo). */
export const REMOTE_KUBECONFIG_READ = `cat ${K3S_ADMIN_KUBECONFIG}`;

/**
 * Creates every node's binary copy and install command and the kubeconfig; returns the
 * kubeconfig (secret). `binaries` holds the checked binary of each architecture the nodes use.
 */
export function createRemoteK3s(
  name: string,
  plan: K3sPlan,
  access: SshAccess,
  binaries: Partial<Record<Arch, K3sHostBinary>>,
  parent: pulumi.Resource,
): { nodes: command.remote.Command[]; token: GeneratedSecret; kubeconfig: pulumi.Output<string> } {
  const servers = plan.nodes.filter((n) => n.role === "server");
  const agents = plan.nodes.filter((n) => n.role === "agent");
  const first = servers[0];
  if (!first) throw new pulumi.ResourceError("k3s over SSH needs at least one server in cluster.nodes", parent);
  for (const node of plan.nodes) {
    if (!binaries[node.arch]) {
      throw new pulumi.ResourceError(
        `no checked k3s ${plan.version} binary for linux-${node.arch} (host ${node.host}): run cto doctor --fix`,
        parent,
      );
    }
  }

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
  const install = (node: SshNodePlan, role: Role, dependsOn: pulumi.Resource[]) => {
    const binary = binaries[node.arch] as K3sHostBinary;
    const copy = new command.remote.CopyToRemote(
      `${name}-k3s-binary-${node.host}`,
      {
        connection: connection(node),
        source: new pulumi.asset.FileAsset(binary.path),
        remotePath: remoteBinaryPath(plan.version, node.arch),
        triggers: [binary.sha256],
      },
      // Copies go in parallel; a new binary replaces its install command (which removes the old
      // copy on delete) before it is copied again.
      { parent, deleteBeforeReplace: true },
    );
    return new command.remote.Command(
      `${name}-k3s-${role === "agent" ? "agent" : "server"}-${node.host}`,
      {
        connection: connection(node),
        create: remoteK3sScript(plan, node, role, first.host, binary.sha256),
        delete: remoteK3sUninstall(node),
        stdin: pulumi.secret(token.value),
        triggers: [plan.version, binary.sha256],
      },
      { parent, dependsOn: [...dependsOn, copy], deleteBeforeReplace: true },
    );
  };

  const init = install(first, "init", []);
  const nodes = [init];
  for (const server of servers.slice(1)) nodes.push(install(server, "join-server", [init]));
  for (const agent of agents) nodes.push(install(agent, "agent", [init]));

  const read = new command.remote.Command(
    `${name}-kubeconfig`,
    {
      connection: connection(first),
      create: REMOTE_KUBECONFIG_READ,
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
