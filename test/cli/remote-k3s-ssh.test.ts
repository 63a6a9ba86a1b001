/**
 * k3s over SSH for real, up to the service manager: `cto doctor --fix` downloads the k3s binary
 * for the SSH hosts' architecture from the release stand-in (test/helpers/tool-server.ts, SHA-256
 * checked), then the commands the Cluster component gives @pulumi/command run against a real
 * OpenSSH server on 127.0.0.1 logged in as root: the binary copied over SFTP (as CopyToRemote
 * does), the install script with the join token on stdin, the kubeconfig read, the uninstall.
 *
 * The sshd runs in its own mount namespace (`unshare -m`) with /etc overlaid and tmpfs over
 * /usr/local/bin, /var/lib and /run, so the scripts' system paths are real paths on that "host"
 * without touching this machine's; `systemctl` there is a stand-in on PATH that records its
 * arguments and, like k3s on `enable --now`, writes the admin kubeconfig. The @pulumi/command
 * plugin itself cannot be had here (package.json, "//" on @pulumi/command), so the test carries the commands.
 *
 * Needs sshd (Debian: openssh-server; `npm test` installs it like tmux) and root (sshd logs in as
 * root, and the mount namespace): skipped with the reason otherwise.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { k3sUnit } from "../../components/cluster/k3s-service.js";
import {
  REMOTE_KUBECONFIG_READ,
  remoteBinaryPath,
  remoteK3sScript,
  remoteK3sUninstall,
} from "../../components/cluster/remote-k3s.js";
import type { ClusterPlan, SshNodePlan } from "../../profiles/plan.js";
import { Sandbox } from "../helpers/cli.js";
import { startToolServer, type ToolServer } from "../helpers/tool-server.js";

const SSHD = ["/usr/sbin/sshd", "/usr/bin/sshd"].find((p) => existsSync(p));
const KUBECONFIG =
  "apiVersion: v1\nkind: Config\nclusters: [{name: default, cluster: {server: https://127.0.0.1:6443}}]\n";
const TOKEN = "K10-test-join-token-never-on-argv";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("k3s over SSH against a real sshd (binary copied, digest checked, service set up, uninstalled)", function () {
  this.timeout(180_000);
  let box: Sandbox;
  let server: ToolServer;
  let dir: string;
  let port: number;
  let sshd: ChildProcess | undefined;
  let sshdLog = "";
  let node: SshNodePlan;
  let plan: Extract<ClusterPlan, { provider: "k3s" }>;

  before(async function () {
    if (process.platform !== "linux" || !SSHD) {
      console.log("    (skipped: no sshd; Debian: apt-get install openssh-server, which npm test does)");
      this.skip();
    }
    if (process.getuid?.() !== 0) {
      console.log("    (skipped: needs root, for sshd's root login and its own mount namespace)");
      this.skip();
    }
    box = new Sandbox("cto-ssh-");
    server = await startToolServer();
    dir = join(box.root, "sshd");
    mkdirSync(join(dir, "etc-up"), { recursive: true });
    mkdirSync(join(dir, "etc-work"), { recursive: true });
    for (const name of ["host_key", "client_key"]) {
      const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, name)], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    }
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
    port = await freePort();
    writeFileSync(
      join(dir, "known_hosts"),
      `[127.0.0.1]:${port} ${readFileSync(join(dir, "host_key.pub"), "utf8").trim()}\n`,
    );
    writeFileSync(
      join(dir, "sshd_config"),
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(dir, "host_key")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        `PidFile ${join(dir, "sshd.pid")}`,
        "Subsystem sftp internal-sftp",
        "",
      ].join("\n"),
    );
    // The host's service manager: records its arguments; starting k3s writes the admin kubeconfig.
    writeFileSync(
      join(dir, "systemctl"),
      [
        "#!/bin/sh",
        `echo "$*" >>${join(dir, "systemctl.log")}`,
        'if [ "$*" = "enable --now k3s" ]; then',
        "  mkdir -p /etc/rancher/k3s",
        `  printf '%s' '${KUBECONFIG}' >/etc/rancher/k3s/k3s.yaml`,
        "  chmod 0600 /etc/rancher/k3s/k3s.yaml",
        "fi",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    // Every mount must hold before sshd starts (set -e): the scripts then only see the namespace's paths.
    const setup = [
      "set -eu",
      `mount -t overlay overlay -o lowerdir=/etc,upperdir=${join(dir, "etc-up")},workdir=${join(dir, "etc-work")} /etc`,
      "mount -t tmpfs cto-test /usr/local/bin",
      "mount -t tmpfs cto-test /var/lib",
      "mount -t tmpfs cto-test /run",
      "mkdir -m 0755 /run/sshd",
      `cp ${join(dir, "systemctl")} /usr/local/bin/systemctl`,
      `exec ${SSHD} -D -e -f ${join(dir, "sshd_config")}`,
    ].join("\n");
    sshd = spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", setup], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    sshd.stdout?.on("data", (d: Buffer) => (sshdLog += d.toString()));
    sshd.stderr?.on("data", (d: Buffer) => (sshdLog += d.toString()));
    for (let i = 0; ; i++) {
      if (ssh("true").status === 0) break;
      if (i > 50 || sshd.exitCode !== null) assert.fail(`sshd did not come up:\n${sshdLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The session is inside the namespace: its systemctl is the stand-in, not this machine's.
    assert.equal(ssh("command -v systemctl").stdout.trim(), "/usr/local/bin/systemctl");

    node = {
      host: "127.0.0.1",
      user: "root",
      port,
      sshKeyPath: join(dir, "client_key"),
      role: "server",
      arch: server.platform.arch,
    };
    plan = {
      provider: "k3s",
      name: "acme",
      version: `v${server.versions.k3s}`,
      binaryPath: join(box.env.CTO_HOME as string, "bin", "k3s"),
      nodes: [node],
      kubeconfigPath: join(box.env.CTO_HOME as string, "clusters", "acme", "kubeconfig"),
    };
  });

  after(async () => {
    sshd?.kill("SIGTERM");
    await server?.close();
    box?.remove();
  });

  const client = (): string[] => [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${join(dir, "known_hosts")}`,
    "-o",
    "IdentitiesOnly=yes",
    "-i",
    join(dir, "client_key"),
  ];
  /** Runs a remote command as @pulumi/command's remote Command does: the text to the login shell, stdin piped. */
  function ssh(command: string, input = "") {
    return spawnSync("ssh", [...client(), "-p", String(port), "root@127.0.0.1", command], {
      input,
      encoding: "utf8",
      timeout: 60_000,
    });
  }
  /** Copies a file as CopyToRemote does: over SFTP, parent directories created. */
  function copyToRemote(local: string, remote: string) {
    const parents = remote
      .split("/")
      .slice(1, -1)
      .map((_, i, all) => `-mkdir /${all.slice(0, i + 1).join("/")}`);
    const r = spawnSync("sftp", [...client(), "-P", String(port), "-b", "-", "root@127.0.0.1"], {
      input: [...parents, `put ${local} ${remote}`, ""].join("\n"),
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
  }
  const hostBinary = (): string =>
    join(box.env.CTO_HOME as string, "tools", "k3s", server.versions.k3s, `linux-${server.platform.arch}`, "k3s");
  const systemctlCalls = (): string[] => {
    const file = join(dir, "systemctl.log");
    return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : [];
  };

  it("cto doctor --fix downloads the hosts' k3s from the release (SHA-256 checked) into ~/.cto/tools, not ~/.cto/bin", async () => {
    writeFileSync(
      join(box.cwd, "cto.yaml"),
      [
        'version: "0.1.0"',
        "profile: standard",
        "platform:",
        "  name: acme",
        "github:",
        "  organization: acme",
        "  repository: platform",
        "cluster:",
        "  provider: k3s",
        "  nodes:",
        `    - { host: 127.0.0.1, port: ${port}, role: server, arch: ${server.platform.arch}, ssh_key_path: ${node.sshKeyPath} }`,
        "",
      ].join("\n"),
    );
    const check = new RegExp(`k3s binary for SSH hosts \\(linux-${server.platform.arch}\\)`);
    const before = await box.run(["doctor"], { env: server.env() });
    assert.match(before.stdout.split("\n").find((l) => check.test(l)) ?? before.stdout, /✗/);
    const fix = await box.run(["doctor", "--fix"], { env: server.env() });
    assert.match(
      fix.stdout,
      new RegExp(`✓ {2}k3s linux-${server.platform.arch} ${server.versions.k3s.replace(/\+/g, "\\+")}: k3s into `),
      fix.stdout + fix.stderr,
    );
    const served = [...server.files.values()].find((f) => f.tool === "k3s");
    assert.ok(served);
    assert.equal(sha256(hostBinary()), served.sha256);
    assert.equal(statSync(hostBinary()).mode & 0o777, 0o755);
    assert.equal(existsSync(join(box.env.CTO_HOME as string, "bin", "k3s")), false, "this machine's bin is untouched");
    assert.ok(server.downloads().some((d) => d.endsWith(`/${served.name}`)));
    const after = await box.run(["doctor"], { env: server.env() });
    assert.match(after.stdout.split("\n").find((l) => check.test(l)) ?? after.stdout, /✓/);
  });

  it("a copy that does not match the digest is refused on the host: exit 1, nothing installed", () => {
    const bad = join(dir, "tampered");
    writeFileSync(bad, "not the k3s release\n");
    copyToRemote(bad, remoteBinaryPath(plan.version, node.arch));
    const r = ssh(remoteK3sScript(plan, node, "init", node.host, sha256(hostBinary())), `${TOKEN}\n`);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `SHA-256 mismatch for /var/lib/cto/k3s/k3s-v.* on 127\\.0\\.0\\.1: expected ${sha256(hostBinary())}, got ${sha256(bad)}: it was changed or damaged after it left this machine; nothing was installed`,
      ),
    );
    assert.equal(
      ssh("ls /usr/local/bin/k3s /etc/systemd/system/k3s.service /etc/systemd/system/k3s.service.env").status,
      2,
    );
    assert.deepEqual(systemctlCalls(), []);
  });

  it("install: the checked binary lands with mode 0755 and its digest, the unit, the token (0600), the service; the kubeconfig reads back", () => {
    const digest = sha256(hostBinary());
    copyToRemote(hostBinary(), remoteBinaryPath(plan.version, node.arch));
    const r = ssh(remoteK3sScript(plan, node, "init", node.host, digest), `${TOKEN}\n`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(ssh("stat -c %a /usr/local/bin/k3s").stdout.trim(), "755");
    assert.equal(ssh("sha256sum /usr/local/bin/k3s").stdout.split(" ")[0], digest);
    assert.equal(
      ssh("cat /etc/systemd/system/k3s.service").stdout,
      k3sUnit(
        `server --cluster-init --disable traefik --write-kubeconfig-mode 0600 --tls-san 127.0.0.1`,
        "k3s server",
        true,
      ),
    );
    assert.equal(ssh("stat -c %a /etc/systemd/system/k3s.service.env").stdout.trim(), "600");
    assert.equal(ssh("cat /etc/systemd/system/k3s.service.env").stdout, `K3S_TOKEN=${TOKEN}\n`);
    assert.ok(!sshdLog.includes(TOKEN), "the token is not in sshd's log");
    assert.deepEqual(systemctlCalls(), ["daemon-reload", "enable --now k3s"]);
    assert.equal(ssh(REMOTE_KUBECONFIG_READ).stdout, KUBECONFIG);
  });

  it("uninstall removes the binary, unit, token, state and the copy; a second run changes nothing", () => {
    const r = ssh(remoteK3sUninstall(node));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const gone = ssh(
      "for f in /usr/local/bin/k3s /etc/systemd/system/k3s.service /etc/systemd/system/k3s.service.env /etc/rancher/k3s /var/lib/cto/k3s; do [ -e $f ] && echo $f; done; true",
    );
    assert.equal(gone.stdout, "", "left behind");
    assert.deepEqual(systemctlCalls().slice(2), ["disable --now k3s", "daemon-reload"]);
    assert.equal(ssh(remoteK3sUninstall(node)).status, 0);
    assert.equal(systemctlCalls().length, 4, "no service to stop the second time");
  });

  it("a k3s cto did not install is left alone: exit 1 before anything changes", () => {
    assert.equal(
      ssh("printf '[Service]\\nExecStart=/usr/local/bin/k3s server\\n' >/etc/systemd/system/k3s.service").status,
      0,
    );
    copyToRemote(hostBinary(), remoteBinaryPath(plan.version, node.arch));
    const r = ssh(remoteK3sScript(plan, node, "agent", "10.0.0.1", sha256(hostBinary())), `${TOKEN}\n`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already runs a k3s that cto did not install/);
    assert.equal(ssh("ls /usr/local/bin/k3s /etc/systemd/system/k3s.service.env").status, 2);
    assert.equal(ssh(remoteK3sUninstall(node)).status, 0);
    assert.equal(ssh("cat /etc/systemd/system/k3s.service").status, 0, "the uninstall leaves a foreign unit alone");
  });
});
