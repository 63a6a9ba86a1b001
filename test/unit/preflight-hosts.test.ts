import { strict as assert } from "node:assert";
import {
  initSystemCheck,
  linuxCheck,
  privilegeCheck,
  simulatedToolchainCheck,
  sshChecks,
  SIMULATED_BINARIES,
} from "../../stacks/preflight/checks/hosts.js";
import type { Check } from "../../stacks/preflight/types.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

const k3s = makePlan({ cluster: { provider: "k3s" } });
const remote = makePlan({
  cluster: {
    provider: "k3s",
    nodes: [
      {
        host: "10.0.0.5",
        user: "root",
        port: 2222,
        role: "server",
        sshKeyPath: "/home/u/.ssh/id_ed25519",
        arch: "amd64",
      },
      { host: "10.0.0.6", user: "root", port: 22, role: "agent", arch: "arm64" },
    ],
  },
});

describe("preflight: hosts", () => {
  it("k3s on this machine needs Linux and systemd; root is the user's to give, cto never runs sudo", async () => {
    assert.equal((await runCheck(linuxCheck, k3s, fakeProbes())).status, "ok");
    const mac = await runCheck(linuxCheck, k3s, fakeProbes({ platform: "darwin" }));
    assert.match(mac.reason, /Linux only; this machine is darwin/);
    const root = await runCheck(privilegeCheck, k3s, fakeProbes({ uid: 0 }));
    assert.deepEqual([root.status, root.reason], ["ok", "running as root: cto installs the k3s service itself"]);
    // Not root, sudo on the machine: cto does not use it, it says what to run as root.
    const user = await runCheck(
      privilegeCheck,
      k3s,
      fakeProbes({ which: async (n) => (n === "sudo" ? "/usr/bin/sudo" : undefined) }),
    );
    assert.equal(user.status, "warn");
    assert.match(user.reason, /needs root, and cto does not run sudo/);
    assert.match(user.fix ?? "", /cto up prints the exact commands to run as root/);
    const installed = await runCheck(
      privilegeCheck,
      k3s,
      fakeProbes({ exists: async (p) => p === "/etc/systemd/system/k3s.service" || p === "/usr/local/bin/k3s" }),
    );
    assert.deepEqual(
      [installed.status, installed.reason],
      ["ok", "k3s service installed (/etc/systemd/system/k3s.service); cto needs no root"],
    );
    assert.equal(
      (await runCheck(initSystemCheck, k3s, fakeProbes({ systemdRunning: async () => false }))).status,
      "fail",
    );
    const openrc = await runCheck(
      initSystemCheck,
      k3s,
      fakeProbes({ systemdRunning: async () => false, exists: async (p) => p === "/run/openrc" }),
    );
    assert.equal(openrc.status, "fail", "cto writes a systemd unit; OpenRC is not supported");
  });

  it("the local k3s checks do not apply to multi-node k3s or other providers", () => {
    for (const c of [linuxCheck, privilegeCheck, initSystemCheck]) {
      assert.equal(c.appliesTo(remote), false);
      assert.equal(c.appliesTo(makePlan()), false);
    }
  });

  describe("SSH hosts", () => {
    const checks = sshChecks(remote);
    const first = checks[0] as Check;
    it("one check per host, probing with BatchMode and a 5 s connect timeout", async () => {
      assert.deepEqual(
        checks.map((c) => c.id),
        ["ssh.10.0.0.5", "ssh.10.0.0.6"],
      );
      let seen: string[] = [];
      const probes = fakeProbes({
        commands: {
          ssh: (args) => {
            seen = args;
            return { stdout: "Linux\n0\nsystemd\nx86_64\n" };
          },
        },
      });
      const r = await runCheck(first, remote, probes);
      assert.deepEqual([r.status, r.reason], ["ok", "Linux x86_64, root, systemd"]);
      assert.deepEqual(seen.slice(0, 8), [
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        "-p",
        "2222",
        "-i",
        "/home/u/.ssh/id_ed25519",
      ]);
      assert.equal(seen[8], "root@10.0.0.5");
      assert.match(seen[9] ?? "", /^uname -s;/);
    });
    it("names unknown host keys, refused keys and unreachable hosts with their fixes", async () => {
      const fail = (stderr: string) => fakeProbes({ commands: { ssh: { code: 255, stderr } } });
      const hostKey = await runCheck(first, remote, fail("Host key verification failed.\n"));
      assert.match(hostKey.fix ?? "", /^ssh-keyscan -p 2222 10\.0\.0\.5 >> ~\/\.ssh\/known_hosts/);
      const denied = await runCheck(first, remote, fail("root@10.0.0.5: Permission denied (publickey).\n"));
      assert.match(denied.fix ?? "", /ssh-copy-id -p 2222 -i \/home\/u\/\.ssh\/id_ed25519 root@10\.0\.0\.5/);
      const down = await runCheck(
        first,
        remote,
        fail("ssh: connect to host 10.0.0.5 port 2222: Connection timed out\n"),
      );
      assert.match(down.reason, /cannot reach 10\.0\.0\.5:2222 over SSH: ssh: connect to host .* Connection timed out/);
    });
    it("refuses a host that is not Linux, a login that is not root (sudo or not), and an arch other than cto.yaml's", async () => {
      const answer = (stdout: string) => fakeProbes({ commands: { ssh: { stdout } } });
      const bsd = await runCheck(first, remote, answer("FreeBSD\n0\nno-systemd\namd64\n"));
      assert.match(bsd.reason, /runs FreeBSD; k3s needs Linux/);
      const user = await runCheck(first, remote, answer("Linux\n1000\nsystemd\nx86_64\n"));
      assert.equal(user.status, "fail");
      assert.match(
        user.reason,
        /root@10\.0\.0\.5 is not root \(uid 1000\): cto installs k3s as root and never runs sudo/,
      );
      assert.match(user.fix ?? "", /PermitRootLogin prohibit-password/);
      const arm = await runCheck(first, remote, answer("Linux\n0\nsystemd\naarch64\n"));
      assert.match(arm.reason, /10\.0\.0\.5 is aarch64, but cto\.yaml says arch: amd64 for it/);
      assert.match(arm.fix ?? "", /Set arch: arm64 for 10\.0\.0\.5/);
      const agent = await runCheck(checks[1] as Check, remote, answer("Linux\n0\nsystemd\naarch64\n"));
      assert.deepEqual([agent.status, agent.reason], ["ok", "Linux aarch64, root, systemd"]);
      const riscv = await runCheck(first, remote, answer("Linux\n0\nsystemd\nriscv64\n"));
      assert.match(riscv.fix ?? "", /amd64 \(x86_64\) and arm64 \(aarch64\) only/);
    });
  });

  describe("simulated cluster binaries", () => {
    const sim = makePlan({ cluster: { provider: "simulated" } });
    it("fails without a toolchain, names missing binaries, passes with all of them", async () => {
      assert.equal((await runCheck(simulatedToolchainCheck, sim, fakeProbes())).status, "fail");
      const partial = await runCheck(
        simulatedToolchainCheck,
        sim,
        fakeProbes({
          toolchainBinDir: async () => "/tc",
          which: async (n, dirs) => (n === "etcd" ? undefined : `${dirs?.[0]}/${n}`),
        }),
      );
      assert.match(partial.reason, /missing from \/tc: etcd$/);
      const all = await runCheck(
        simulatedToolchainCheck,
        sim,
        fakeProbes({
          toolchainBinDir: async () => "/tc",
          which: async (n, dirs) => (SIMULATED_BINARIES.includes(n) ? `${dirs?.[0]}/${n}` : undefined),
        }),
      );
      assert.equal(all.status, "ok");
    });
  });
});
