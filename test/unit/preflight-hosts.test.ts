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
      { host: "10.0.0.5", user: "ops", port: 2222, role: "server", sshKeyPath: "/home/u/.ssh/id_ed25519" },
      { host: "10.0.0.6", user: "root", port: 22, role: "agent" },
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
            return { stdout: "Linux\n1000\nsystemd\nsudo\n" };
          },
        },
      });
      const r = await runCheck(first, remote, probes);
      assert.deepEqual([r.status, r.reason], ["ok", "Linux, sudo, systemd"]);
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
      assert.equal(seen[8], "ops@10.0.0.5");
      assert.match(seen[9] ?? "", /^uname -s;/);
    });
    it("names unknown host keys, refused keys and unreachable hosts with their fixes", async () => {
      const fail = (stderr: string) => fakeProbes({ commands: { ssh: { code: 255, stderr } } });
      const hostKey = await runCheck(first, remote, fail("Host key verification failed.\n"));
      assert.match(hostKey.fix ?? "", /^ssh-keyscan -p 2222 10\.0\.0\.5 >> ~\/\.ssh\/known_hosts/);
      const denied = await runCheck(first, remote, fail("ops@10.0.0.5: Permission denied (publickey).\n"));
      assert.match(denied.fix ?? "", /ssh-copy-id -p 2222 -i \/home\/u\/\.ssh\/id_ed25519 ops@10\.0\.0\.5/);
      const down = await runCheck(
        first,
        remote,
        fail("ssh: connect to host 10.0.0.5 port 2222: Connection timed out\n"),
      );
      assert.match(down.reason, /cannot reach 10\.0\.0\.5:2222 over SSH: ssh: connect to host .* Connection timed out/);
    });
    it("refuses a host that is not Linux, or has neither root nor sudo", async () => {
      const bsd = await runCheck(
        first,
        remote,
        fakeProbes({ commands: { ssh: { stdout: "FreeBSD\n0\nno-systemd\nno-sudo\n" } } }),
      );
      assert.match(bsd.reason, /runs FreeBSD; k3s needs Linux/);
      const nosudo = await runCheck(
        first,
        remote,
        fakeProbes({ commands: { ssh: { stdout: "Linux\n1000\nsystemd\nno-sudo\n" } } }),
      );
      assert.match(nosudo.reason, /not root and the host has no sudo/);
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
