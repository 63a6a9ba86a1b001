/**
 * The command plan of k3s over SSH (components/cluster/remote-k3s.ts): what each host runs to
 * install and remove k3s. No download on the host, no piped script, no sudo; the copy's SHA-256 is
 * checked before anything is installed; the service is k3s-service.ts's. The guards that stop
 * before any change (not root, another architecture) are run for real with bash against stand-ins
 * for `id` and `uname`. test/cli/remote-k3s-ssh.test.ts runs the whole scripts over real SSH.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { k3sUnit } from "../../components/cluster/k3s-service.js";
import {
  REMOTE_KUBECONFIG_READ,
  remoteBinaryPath,
  remoteK3sScript,
  remoteK3sUninstall,
} from "../../components/cluster/remote-k3s.js";
import type { ClusterPlan, SshNodePlan } from "../../profiles/plan.js";

type K3sPlan = Extract<ClusterPlan, { provider: "k3s" }>;
const node = (host: string, role: "server" | "agent", arch: "amd64" | "arm64" = "amd64"): SshNodePlan => ({
  host,
  user: "root",
  port: 22,
  role,
  arch,
});
const plan: K3sPlan = {
  provider: "k3s",
  name: "acme",
  version: "v1.32.1+k3s1",
  binaryPath: "/home/me/.cto/bin/k3s",
  nodes: [node("10.0.0.1", "server"), node("10.0.0.2", "server"), node("10.0.0.3", "agent", "arm64")],
  kubeconfigPath: "/home/me/.cto/clusters/acme/kubeconfig",
};
const SHA = "0123456789abcdef".repeat(4);
const init = remoteK3sScript(plan, plan.nodes[0] as SshNodePlan, "init", "10.0.0.1", SHA);
const join = remoteK3sScript(plan, plan.nodes[1] as SshNodePlan, "join-server", "10.0.0.1", SHA);
const agent = remoteK3sScript(plan, plan.nodes[2] as SshNodePlan, "agent", "10.0.0.1", SHA);
const uninstall = remoteK3sUninstall(plan.nodes[0] as SshNodePlan);

/** Index of the first line matching, asserting there is one. */
function lineOf(script: string, pattern: RegExp): number {
  const i = script.split("\n").findIndex((l) => pattern.test(l));
  assert.ok(i >= 0, `no line matches ${pattern} in:\n${script}`);
  return i;
}

describe("k3s over SSH: the command plan", () => {
  it("no download, no piped install script and no sudo in any script", () => {
    for (const script of [init, join, agent, uninstall, REMOTE_KUBECONFIG_READ]) {
      assert.doesNotMatch(script, /curl|wget|\| *(ba)?sh\b|get\.k3s\.io|INSTALL_K3S/);
      // Messages may say that cto does not run sudo; no command does.
      assert.doesNotMatch(script.replace(/echo '[^']*'|echo "[^"]*"/g, ""), /\bsudo\b/);
    }
    assert.equal(REMOTE_KUBECONFIG_READ, "cat /etc/rancher/k3s/k3s.yaml");
  });

  it("in order: root guard, arch guard, the copy's digest, then the binary (0755), the unit, the token file, the service", () => {
    const order = [
      /^if \[ "\$\(id -u\)" != 0 \]; then$/,
      /^case "\$\(uname -m\)" in x86_64\|amd64\)/,
      /^IFS= read -r K3S_TOKEN$/,
      /^staged='\/var\/lib\/cto\/k3s\/k3s-v1\.32\.1\+k3s1-linux-amd64'$/,
      new RegExp(`^if \\[ "\\$got" != '${SHA}' \\]; then$`),
      /^cat >\/var\/lib\/cto\/k3s\/k3s\.service <<'CTO_K3S_UNIT'$/,
      /^\(umask 077 && printf 'K3S_TOKEN=%s\\n' "\$K3S_TOKEN" >\/etc\/systemd\/system\/k3s\.service\.env\)$/,
      /^install -m 0755 "\$staged" \/usr\/local\/bin\/k3s$/,
      /^install -m 0644 \/var\/lib\/cto\/k3s\/k3s\.service \/etc\/systemd\/system\/k3s\.service$/,
      /^systemctl daemon-reload$/,
      /^systemctl enable --now k3s$/,
    ];
    const at = order.map((p) => lineOf(init, p));
    assert.deepEqual(
      at,
      [...at].sort((a, b) => a - b),
      "each step comes after the one before it",
    );
    assert.equal(remoteBinaryPath("v1.32.1+k3s1", "arm64"), "/var/lib/cto/k3s/k3s-v1.32.1+k3s1-linux-arm64");
    assert.match(agent, /^case "\$\(uname -m\)" in aarch64\|arm64\)/m);
    assert.match(agent, /^staged='\/var\/lib\/cto\/k3s\/k3s-v1\.32\.1\+k3s1-linux-arm64'$/m);
  });

  it("each role's unit is k3s-service.ts's, with the token from the root-only environment file", () => {
    const unitOf = (script: string) => /<<'CTO_K3S_UNIT'\n([\s\S]*?)CTO_K3S_UNIT/.exec(script)?.[1];
    assert.equal(
      unitOf(init),
      k3sUnit(
        "server --cluster-init --disable traefik --write-kubeconfig-mode 0600 --tls-san 10.0.0.1",
        "k3s server",
        true,
      ),
    );
    assert.equal(
      unitOf(join),
      k3sUnit(
        "server --server https://10.0.0.1:6443 --disable traefik --write-kubeconfig-mode 0600 --tls-san 10.0.0.2",
        "k3s server",
        true,
      ),
    );
    assert.equal(unitOf(agent), k3sUnit("agent --server https://10.0.0.1:6443", "k3s agent", true));
    assert.match(unitOf(agent) ?? "", /^EnvironmentFile=-\/etc\/systemd\/system\/k3s\.service\.env$/m);
    assert.match(unitOf(agent) ?? "", /^Description=k3s agent \(written by cto\)$/m);
  });

  it("only the first server waits for the API (its local-path StorageClass) and fails when it never comes", () => {
    assert.match(init, /k3s kubectl get storageclass local-path >\/dev\/null 2>&1 && exit 0; sleep 2; done/);
    assert.match(init, /did not serve its local-path StorageClass within 180 s: see journalctl -u k3s there/);
    assert.doesNotMatch(join, /storageclass/);
    assert.doesNotMatch(agent, /storageclass/);
  });

  it("refuses a host whose k3s cto did not install, before reading the token or changing anything", () => {
    const guard = lineOf(init, /^if \[ -f \/etc\/systemd\/system\/k3s\.service \] && ! grep -q 'written by cto'/);
    assert.ok(guard < lineOf(init, /^IFS= read -r K3S_TOKEN$/));
  });

  it("uninstall: only a service cto wrote; stops it, ends its containers, removes binary, unit, token, state and the copy", () => {
    const gate = lineOf(uninstall, /^if \[ -f \/etc\/systemd\/system\/k3s\.service \] && grep -q 'written by cto'/);
    const steps = [
      /^ {2}systemctl disable --now k3s$/,
      /^ {2}rm -f \/etc\/systemd\/system\/k3s\.service \/usr\/local\/bin\/k3s$/,
      /^ {2}systemctl daemon-reload$/,
      /containerd-shim\*\) pkill -9 -P/,
      /umount "\$m"/,
      /^ {2}rm -rf \/etc\/rancher\/k3s \/var\/lib\/rancher\/k3s \/var\/lib\/kubelet \/run\/k3s \/etc\/systemd\/system\/k3s\.service\.env$/,
    ].map((p) => lineOf(uninstall, p));
    assert.ok(
      steps.every((s, i) => s > gate && (i === 0 || s > (steps[i - 1] as number))),
      uninstall,
    );
    assert.ok(uninstall.split("\n").lastIndexOf("fi") > (steps.at(-1) as number));
    assert.match(uninstall.split("\n").at(-1) ?? "", /^rm -rf \/var\/lib\/cto\/k3s$/);
  });

  describe("the guards, run with bash (stand-ins for id and uname; nothing after them may run)", () => {
    let tmp: string;
    let log: string;
    beforeEach(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), "cto-remote-k3s-"));
      log = path.join(tmp, "calls.log");
      await writeFile(log, "");
      for (const name of ["install", "systemctl", "sha256sum", "cat", "grep", "rm", "pkill", "umount"]) {
        await writeFile(path.join(tmp, name), `#!/bin/sh\necho "${name} $*" >>"${log}"\n`);
        await chmod(path.join(tmp, name), 0o755);
      }
    });
    afterEach(async () => rm(tmp, { recursive: true, force: true }));

    async function run(script: string, uid: number, machine: string) {
      await writeFile(path.join(tmp, "id"), `#!/bin/sh\necho ${uid}\n`);
      await writeFile(path.join(tmp, "uname"), `#!/bin/sh\necho ${machine}\n`);
      await chmod(path.join(tmp, "id"), 0o755);
      await chmod(path.join(tmp, "uname"), 0o755);
      return spawnSync("bash", ["-c", script], {
        env: { PATH: `${tmp}:/usr/bin:/bin` },
        input: "the-token\n",
        encoding: "utf8",
      });
    }

    it("not root: exit 1 naming root and sudo, nothing run", async () => {
      for (const script of [init, uninstall]) {
        const out = await run(script, 1000, "x86_64");
        assert.equal(out.status, 1, out.stderr);
        assert.match(out.stderr, /on 10\.0\.0\.1 needs root, and cto does not run sudo: connect as root/);
        assert.match(out.stderr, /Nothing was changed\./);
        assert.equal(await readFile(log, "utf8"), "");
      }
    });

    it("another architecture than cto.yaml says: exit 1 naming arch, nothing run", async () => {
      const out = await run(agent, 0, "x86_64");
      assert.equal(out.status, 1, out.stderr);
      assert.match(
        out.stderr,
        /10\.0\.0\.3 is x86_64, but cluster\.nodes says arch: arm64 for it; fix arch in cto\.yaml/,
      );
      assert.equal(await readFile(log, "utf8"), "");
    });
  });
});
