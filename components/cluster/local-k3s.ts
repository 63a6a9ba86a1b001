/**
 * k3s as a single node on this machine, through `@pulumi/command` local commands.
 *
 * - The install script URL and the k3s version come from the plan (mirrors for air-gapped sites);
 *   they reach the shell as environment variables, never spliced into the command text.
 * - traefik is disabled: the platform brings its own ingress choice.
 * - The admin kubeconfig is copied to the plan's `kubeconfigPath` with mode 0600 and owned by the
 *   invoking user, then read back as the command's stdout, which is a Pulumi secret and kept out
 *   of the engine's logs (`logging: stderr`).
 * - `delete` runs k3s' own uninstall script, so `cto destroy` removes the cluster.
 * - Changing the version or the script URL re-runs the installer (k3s upgrades in place).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../../profiles/plan.js";
import { readLocalKubeconfig } from "./read-kubeconfig.js";

type K3sPlan = Extract<ClusterPlan, { provider: "k3s" }>;

/** Shell for installing k3s; reads K3S_INSTALL_SCRIPT_URL, K3S_VERSION, KUBECONFIG_PATH. */
export const LOCAL_K3S_INSTALL = [
  "set -eu",
  'curl -sfL "$K3S_INSTALL_SCRIPT_URL" | INSTALL_K3S_VERSION="$K3S_VERSION" sh -s - server --disable traefik --write-kubeconfig-mode 0600',
  // k3s creates its local-path StorageClass shortly after the API answers; the default-class
  // patch in Cluster needs it to exist.
  "for _ in $(seq 90); do sudo k3s kubectl get storageclass local-path >/dev/null 2>&1 && break; sleep 2; done",
  'mkdir -p "$(dirname "$KUBECONFIG_PATH")"',
  'sudo install -m 0600 -o "$(id -u)" -g "$(id -g)" /etc/rancher/k3s/k3s.yaml "$KUBECONFIG_PATH"',
].join("\n");

/** Shell for removing k3s and the kubeconfig we wrote. */
export const LOCAL_K3S_UNINSTALL = [
  "set -eu",
  "if [ -x /usr/local/bin/k3s-uninstall.sh ]; then sudo /usr/local/bin/k3s-uninstall.sh; fi",
  'rm -f "$KUBECONFIG_PATH"',
].join("\n");

/** Creates the install command and the kubeconfig read-back; returns the kubeconfig (secret). */
export function createLocalK3s(
  name: string,
  plan: K3sPlan,
  parent: pulumi.Resource,
): { install: command.local.Command; kubeconfig: pulumi.Output<string> } {
  const environment = {
    K3S_INSTALL_SCRIPT_URL: plan.installScriptUrl,
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
      triggers: [plan.version, plan.installScriptUrl],
    },
    { parent },
  );
  return { install, kubeconfig: readLocalKubeconfig(name, plan.kubeconfigPath, install, parent) };
}
