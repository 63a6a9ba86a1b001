/**
 * k3s as a single node on this machine, through `@pulumi/command` local commands.
 *
 * - No install script and no `curl | sh`: the k3s binary is the release file `cto doctor --fix` /
 *   `cto up` downloaded into `<cto home>/bin/k3s` and checked against the publisher's
 *   `sha256sum-<arch>.txt` (stacks/tools). The plan's `binaryPath` names it.
 * - k3s runs as a systemd service, which needs root. cto never runs sudo: run as root, cto installs
 *   the binary and the unit itself; otherwise it writes the unit file under `<cto home>/k3s/`,
 *   prints the exact commands to run as root and stops, and the next `cto up` finds k3s running.
 * - traefik is disabled: the platform brings its own ingress choice.
 * - The admin kubeconfig is copied to the plan's `kubeconfigPath` with mode 0600 and owned by the
 *   invoking user (by the root commands), then read back as a Pulumi secret kept out of the
 *   engine's logs (`logging: stderr`).
 * - `delete` stops and removes the service cto installed when root; otherwise it prints the
 *   commands (the cluster stays until they are run).
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import path from "node:path";
import type { ClusterPlan } from "../../profiles/plan.js";
import { K3S_SYSTEM_BINARY, K3S_UNIT, K3S_UNIT_PATH, k3sRootCommands, k3sRootRemoveCommands } from "./k3s-service.js";
import { readLocalKubeconfig } from "./read-kubeconfig.js";

type K3sPlan = Extract<ClusterPlan, { provider: "k3s" }>;

/**
 * Shell that brings k3s up; reads K3S_BIN, K3S_UNIT_DIR, K3S_VERSION, KUBECONFIG_PATH. The unit's
 * text and the root commands are built here (paths single-quoted from the environment's values at
 * run time), never from the user's input spliced into the command text.
 */
export const LOCAL_K3S_INSTALL = [
  "set -eu",
  'test -x "$K3S_BIN" || { echo "k3s $K3S_VERSION is not in $K3S_BIN: run cto doctor --fix (downloads it, SHA-256 checked)" >&2; exit 1; }',
  '"$K3S_BIN" --version | grep -q -- "$K3S_VERSION" || { echo "$K3S_BIN is not k3s $K3S_VERSION: run cto doctor --fix" >&2; exit 1; }',
  'mkdir -p "$K3S_UNIT_DIR" "$(dirname "$KUBECONFIG_PATH")"',
  `cat >"$K3S_UNIT_DIR/k3s.service" <<'CTO_K3S_UNIT'\n${K3S_UNIT}CTO_K3S_UNIT`,
  "uid=$(id -u); gid=$(id -g)",
  'running() { [ -r "$KUBECONFIG_PATH" ] && cmp -s "$K3S_BIN" ' +
    K3S_SYSTEM_BINARY +
    " && systemctl is-active --quiet k3s; }",
  'if [ "$uid" = 0 ]; then',
  "  if ! running; then",
  ...k3sRootCommands(
    { binary: '"$K3S_BIN"', unitFile: '"$K3S_UNIT_DIR/k3s.service"', kubeconfig: '"$KUBECONFIG_PATH"' },
    { uid: '"$uid"', gid: '"$gid"' },
    false,
  ).map((c) => `    ${c}`),
  "  fi",
  "elif ! running; then",
  '  echo "k3s runs as a system service, which needs root; cto does not run sudo. Run these as root, then cto up again:" >&2',
  ...k3sRootCommands(
    { binary: "$K3S_BIN", unitFile: "$K3S_UNIT_DIR/k3s.service", kubeconfig: "$KUBECONFIG_PATH" },
    { uid: "$uid", gid: "$gid" },
    true,
  ).map((c) => `  echo "  ${c}" >&2`),
  "  exit 1",
  "fi",
  // k3s creates its local-path StorageClass shortly after the API answers; the default-class
  // patch in Cluster needs it to exist. The user's copy of the kubeconfig is enough to ask.
  'for _ in $(seq 90); do "$K3S_BIN" kubectl --kubeconfig "$KUBECONFIG_PATH" get storageclass local-path >/dev/null 2>&1 && break; sleep 2; done',
].join("\n");

/** Shell for removing k3s (root) or printing how (not root), and the kubeconfig we wrote. */
export const LOCAL_K3S_UNINSTALL = [
  "set -eu",
  'if [ "$(id -u)" = 0 ]; then',
  `  if [ -f ${K3S_UNIT_PATH} ] && grep -q 'written by cto' ${K3S_UNIT_PATH}; then`,
  ...k3sRootRemoveCommands(false).map((c) => `    ${c}`),
  "  fi",
  `elif [ -f ${K3S_UNIT_PATH} ]; then`,
  '  echo "k3s keeps running until these are run as root (cto does not run sudo):" >&2',
  ...k3sRootRemoveCommands(true).map((c) => `  echo "  ${c}" >&2`),
  "fi",
  'rm -f "$KUBECONFIG_PATH"',
].join("\n");

/** Creates the install command and the kubeconfig read-back; returns the kubeconfig (secret). */
export function createLocalK3s(
  name: string,
  plan: K3sPlan,
  parent: pulumi.Resource,
): { install: command.local.Command; kubeconfig: pulumi.Output<string> } {
  const environment = {
    K3S_BIN: plan.binaryPath,
    K3S_UNIT_DIR: path.join(path.dirname(path.dirname(plan.binaryPath)), "k3s"),
    K3S_VERSION: plan.version,
    KUBECONFIG_PATH: plan.kubeconfigPath,
  };
  const install = new command.local.Command(
    `${name}-k3s-install`,
    {
      create: LOCAL_K3S_INSTALL,
      update: LOCAL_K3S_INSTALL,
      delete: LOCAL_K3S_UNINSTALL,
      environment,
      triggers: [plan.version, plan.binaryPath],
    },
    { parent },
  );
  return { install, kubeconfig: readLocalKubeconfig(name, plan.kubeconfigPath, install, parent) };
}
