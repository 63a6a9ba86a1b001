/**
 * The machines the cluster runs on: this one for k3s (Linux, systemd to run k3s as a service, root
 * to install it, which cto leaves to the user when it is not root), each SSH host for multi-node
 * k3s, and the simulated cluster's binaries.
 */
import path from "node:path";
import type { Plan, SshNodePlan } from "../../../profiles/plan.js";
import type { Check } from "../types.js";
import { K3S_SYSTEM_BINARY, K3S_UNIT_PATH } from "../../../components/cluster/k3s-service.js";
import { fail, firstLine, isRemoteK3s, ok, warn } from "./common.js";

const isLocalK3s = (plan: Plan): boolean => plan.cluster.provider === "k3s" && !isRemoteK3s(plan);
const OTHER_PROVIDER = "or choose another provider in cto.yaml (cluster.provider: kind, minikube or existing)";

export const linuxCheck: Check = {
  id: "host.linux",
  name: "Linux host (k3s)",
  critical: true,
  appliesTo: isLocalK3s,
  async run({ probes }) {
    if (probes.platform === "linux") return ok("Linux");
    return fail(
      `k3s runs on Linux only; this machine is ${probes.platform}`,
      `Run cto on a Linux host, ${OTHER_PROVIDER}`,
    );
  },
};

export const privilegeCheck: Check = {
  id: "host.root",
  name: "root (k3s)",
  critical: false,
  appliesTo: isLocalK3s,
  async run({ probes }) {
    if (probes.uid === 0) return ok("running as root: cto installs the k3s service itself");
    if ((await probes.exists(K3S_UNIT_PATH)) && (await probes.exists(K3S_SYSTEM_BINARY)))
      return ok(`k3s service installed (${K3S_UNIT_PATH}); cto needs no root`);
    return warn(
      "not root: k3s runs as a system service, which needs root, and cto does not run sudo",
      `cto up prints the exact commands to run as root (install ${K3S_SYSTEM_BINARY} and ${K3S_UNIT_PATH}, start k3s, copy its kubeconfig), then run cto up again; or run cto as root, ${OTHER_PROVIDER}`,
    );
  },
};

export const initSystemCheck: Check = {
  id: "host.systemd",
  name: "systemd (k3s)",
  critical: true,
  appliesTo: isLocalK3s,
  async run({ probes }) {
    if (await probes.systemdRunning()) return ok("systemd is running");
    return fail(
      "systemd is not running (no /run/systemd/system): cto runs k3s as a systemd service",
      `Use a host booted with systemd (containers and WSL without systemd cannot run k3s as a service), ${OTHER_PROVIDER}`,
    );
  },
};

/** What one SSH round trip tells about a host: `uname -s`, `id -u`, init system, `uname -m`. */
const REMOTE_PROBE =
  "uname -s; id -u; if [ -d /run/systemd/system ]; then echo systemd; else echo no-systemd; fi; uname -m";

/** `uname -m` → the k3s release architecture. */
const MACHINE_ARCH: Readonly<Record<string, "amd64" | "arm64">> = {
  x86_64: "amd64",
  amd64: "amd64",
  aarch64: "arm64",
  arm64: "arm64",
};

function sshArgs(node: SshNodePlan): string[] {
  const args = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-p", String(node.port)];
  if (node.sshKeyPath) args.push("-i", node.sshKeyPath);
  return [...args, `${node.user}@${node.host}`, REMOTE_PROBE];
}

/** One check per SSH host of a multi-node k3s plan. */
export function sshChecks(plan: Plan): Check[] {
  if (plan.cluster.provider !== "k3s") return [];
  return plan.cluster.nodes.map((node): Check => ({
    id: `ssh.${node.host}`,
    name: `SSH ${node.user}@${node.host}:${node.port} (${node.role})`,
    critical: true,
    appliesTo: () => true,
    async run({ probes }) {
      const target = `${node.user}@${node.host}`;
      const portFlag = node.port === 22 ? "" : ` -p ${node.port}`;
      const r = await probes.run("ssh", sshArgs(node), { timeoutMs: 15_000 });
      if (!r.found)
        return fail(
          "ssh not found on PATH",
          "Install the OpenSSH client (Debian/Ubuntu: sudo apt-get install openssh-client)",
        );
      if (r.code !== 0) {
        const err = r.stderr;
        if (/host key verification failed/i.test(err)) {
          return fail(
            `${node.host}'s host key is not in known_hosts (BatchMode refuses to ask)`,
            `ssh-keyscan${portFlag} ${node.host} >> ~/.ssh/known_hosts   (compare the fingerprint with the host's first)`,
          );
        }
        if (/permission denied/i.test(err)) {
          return fail(
            `${target} refused the key (${firstLine(err)})`,
            node.sshKeyPath
              ? `Authorise ${node.sshKeyPath}.pub on the host: ssh-copy-id${portFlag} -i ${node.sshKeyPath} ${target}`
              : `ssh-copy-id${portFlag} ${target}   (or set cluster.nodes[].ssh_key_path in cto.yaml)`,
          );
        }
        return fail(
          `cannot reach ${node.host}:${node.port} over SSH: ${firstLine(err) || (r.timedOut ? "timed out" : `exit ${r.code}`)}`,
          `Check that the host is up and sshd listens on port ${node.port}: ssh${portFlag} ${target} true`,
        );
      }
      const [os = "", uid = "", init = "", machine = ""] = r.stdout.split("\n").map((l) => l.trim());
      const details = { os, uid: Number(uid), init, machine };
      if (os !== "Linux")
        return fail(
          `${node.host} runs ${os || "an unknown OS"}; k3s needs Linux`,
          "Use a Linux host for this node",
          details,
        );
      if (uid !== "0") {
        return fail(
          `${target} is not root (uid ${uid}): cto installs k3s as root and never runs sudo`,
          `Connect as root: user: root for this node in cto.yaml, with root allowed to log in by key on ${node.host} (sshd_config: PermitRootLogin prohibit-password)`,
          details,
        );
      }
      if (MACHINE_ARCH[machine] !== node.arch) {
        return fail(
          `${node.host} is ${machine || "an unknown machine"}, but cto.yaml says arch: ${node.arch} for it`,
          MACHINE_ARCH[machine]
            ? `Set arch: ${MACHINE_ARCH[machine]} for ${node.host} under cluster.nodes in cto.yaml`
            : "k3s releases binaries for amd64 (x86_64) and arm64 (aarch64) only: use such a host",
          details,
        );
      }
      if (init !== "systemd") {
        return fail(
          `${node.host} does not run systemd: k3s cannot be installed as a service`,
          "Use a host booted with systemd",
          details,
        );
      }
      return ok(`Linux ${machine}, root, systemd`, details);
    },
  }));
}

/** Binaries the simulated cluster (kwok) is made of; built by scripts/toolchain.sh. */
export const SIMULATED_BINARIES = [
  "kwokctl",
  "kwok",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "etcd",
];

export const simulatedToolchainCheck: Check = {
  id: "tool.simulated",
  name: "Simulated cluster binaries (kwok)",
  critical: true,
  appliesTo: (plan) => plan.cluster.provider === "simulated",
  async run({ probes }) {
    const fix = "bash scripts/toolchain.sh   (in a clone of cto; builds kwok, kube-apiserver and etcd from Go modules)";
    const dir = await probes.toolchainBinDir();
    if (!dir) return fail("the toolchain has not been built (no ~/.cache/cto/toolchain/current)", fix);
    const missing: string[] = [];
    for (const name of SIMULATED_BINARIES) {
      const found = await probes.which(name, [dir]);
      if (!found || path.dirname(found) !== dir) missing.push(name);
    }
    if (missing.length > 0) return fail(`missing from ${dir}: ${missing.join(", ")}`, fix, { dir, missing });
    const r = await probes.run(`${dir}/kwokctl`, ["--version"]);
    return ok(`kwok and Kubernetes binaries in ${dir}${r.code === 0 ? ` (${firstLine(r.stdout)})` : ""}`, { dir });
  },
};
