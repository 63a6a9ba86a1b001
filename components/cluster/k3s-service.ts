/**
 * The single-node k3s service cto sets up on this machine without an install script: the system
 * paths, the systemd unit it writes, and the commands that need root (run by cto only when it is
 * root; printed for the user otherwise). Plain data, no Pulumi: the doctor's checks use it too.
 */
/** Where the service's binary and unit go (root-owned system paths). */
export const K3S_SYSTEM_BINARY = "/usr/local/bin/k3s";
export const K3S_UNIT_PATH = "/etc/systemd/system/k3s.service";
export const K3S_ADMIN_KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";

/** The systemd unit cto writes for a single-node k3s server. */
export const K3S_UNIT = [
  "[Unit]",
  "Description=k3s single-node server (written by cto)",
  "Wants=network-online.target",
  "After=network-online.target",
  "",
  "[Service]",
  "Type=notify",
  `ExecStart=${K3S_SYSTEM_BINARY} server --disable traefik --write-kubeconfig-mode 0600`,
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

/**
 * The commands that need root, in order, as a user runs them (with sudo) or as cto runs them when
 * it is root (without). `unitFile` is the unit cto wrote; `uid`/`gid` own the copied kubeconfig.
 */
export function k3sRootCommands(
  paths: { binary: string; unitFile: string; kubeconfig: string },
  owner: { uid: string; gid: string },
  sudo: boolean,
): string[] {
  const s = sudo ? "sudo " : "";
  return [
    `${s}install -m 0755 ${paths.binary} ${K3S_SYSTEM_BINARY}`,
    `${s}install -m 0644 ${paths.unitFile} ${K3S_UNIT_PATH}`,
    `${s}systemctl daemon-reload`,
    `${s}systemctl enable --now k3s`,
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
