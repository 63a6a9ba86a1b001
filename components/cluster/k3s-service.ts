/**
 * The k3s service cto sets up without an install script, on this machine (local-k3s.ts) and on SSH
 * hosts (remote-k3s.ts): the system paths, the systemd unit it writes, and the commands that need
 * root (run by cto only as root; printed for the user otherwise, never prefixed with sudo by cto).
 * Plain data, no Pulumi: the doctor's checks use it too.
 */
/** Where the service's binary and unit go (root-owned system paths). */
export const K3S_SYSTEM_BINARY = "/usr/local/bin/k3s";
export const K3S_UNIT_PATH = "/etc/systemd/system/k3s.service";
export const K3S_ADMIN_KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";

/** Root-only file holding a host's join token (K3S_TOKEN=…), read by the unit; SSH hosts only. */
export const K3S_ENV_FILE = "/etc/systemd/system/k3s.service.env";

/**
 * The systemd unit cto writes: `k3s <args>` as a service. `description` says what the node is;
 * `envFile` adds the root-only environment file holding the join token (SSH hosts).
 */
export function k3sUnit(args: string, description: string, envFile = false): string {
  return [
    "[Unit]",
    `Description=${description} (written by cto)`,
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=notify",
    ...(envFile ? [`EnvironmentFile=-${K3S_ENV_FILE}`] : []),
    `ExecStart=${K3S_SYSTEM_BINARY} ${args}`,
    "KillMode=process",
    "Delegate=yes",
    "LimitNOFILE=1048576",
    "LimitNPROC=infinity",
    "LimitCORE=infinity",
    "TasksMax=infinity",
    "TimeoutStartSec=0",
    "Restart=always",
    "RestartSec=5s",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The unit of the single-node server on this machine. */
export const K3S_UNIT = k3sUnit("server --disable traefik --write-kubeconfig-mode 0600", "k3s single-node server");

/**
 * The commands that install the checked binary and the unit and start the service, in order, as a
 * user runs them (with sudo) or as cto runs them as root (without). `unitFile` is the unit cto wrote.
 */
export function k3sServiceCommands(paths: { binary: string; unitFile: string }, sudo: boolean): string[] {
  const s = sudo ? "sudo " : "";
  return [
    `${s}install -m 0755 ${paths.binary} ${K3S_SYSTEM_BINARY}`,
    `${s}install -m 0644 ${paths.unitFile} ${K3S_UNIT_PATH}`,
    `${s}systemctl daemon-reload`,
    `${s}systemctl enable --now k3s`,
  ];
}

/**
 * The commands that need root on this machine, in order: the service (k3sServiceCommands), then
 * the admin kubeconfig copied for the invoking user (`uid`/`gid`).
 */
export function k3sRootCommands(
  paths: { binary: string; unitFile: string; kubeconfig: string },
  owner: { uid: string; gid: string },
  sudo: boolean,
): string[] {
  const s = sudo ? "sudo " : "";
  return [
    ...k3sServiceCommands(paths, sudo),
    `${s}install -m 0600 -o ${owner.uid} -g ${owner.gid} ${K3S_ADMIN_KUBECONFIG} ${paths.kubeconfig}`,
  ];
}

/** The commands that remove what k3sRootCommands installed. */
export function k3sRootRemoveCommands(sudo: boolean): string[] {
  const s = sudo ? "sudo " : "";
  return [
    `${s}systemctl disable --now k3s`,
    `${s}rm -f ${K3S_UNIT_PATH} ${K3S_SYSTEM_BINARY}`,
    `${s}systemctl daemon-reload`,
  ];
}

/** Where k3s keeps its state on a host: removed with the node on an SSH host (a rejoin needs a clean one). */
export const K3S_STATE_DIRS = ["/etc/rancher/k3s", "/var/lib/rancher/k3s", "/var/lib/kubelet", "/run/k3s"] as const;

/**
 * After the service is stopped (k3sRootRemoveCommands): ends the pods' container shims k3s leaves
 * running (KillMode=process) with their containers, unmounts what they mounted, and removes the
 * node's state, token file and kubeconfig. Run as root on an SSH host by `cto destroy`.
 */
export function k3sStateRemoveCommands(): string[] {
  return [
    "for d in /proc/[0-9]*; do",
    '  case "$(readlink "$d/exe" 2>/dev/null || true)" in',
    '    /var/lib/rancher/k3s/data/*/containerd-shim*) pkill -9 -P "${d#/proc/}" 2>/dev/null || true; kill -9 "${d#/proc/}" 2>/dev/null || true ;;',
    "  esac",
    "done",
    `awk '$2 ~ "^(/run/k3s|/var/lib/kubelet|/var/lib/rancher/k3s)/" {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done`,
    `rm -rf ${K3S_STATE_DIRS.join(" ")} ${K3S_ENV_FILE}`,
  ];
}
