/**
 * The shell the local k3s component runs (components/cluster/local-k3s.ts), run for real with bash
 * against stand-ins for `id`, `install`, `systemctl` and the k3s binary on PATH: as a user it
 * installs nothing and prints the exact root commands; as root it runs them itself, without sudo.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { K3S_UNIT } from "../../components/cluster/k3s-service.js";
import { LOCAL_K3S_INSTALL, LOCAL_K3S_UNINSTALL } from "../../components/cluster/local-k3s.js";

describe("local k3s script", () => {
  let tmp: string;
  let fakes: string;
  let log: string;

  async function exe(file: string, body: string): Promise<void> {
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
  }

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cto-k3s-script-"));
    fakes = path.join(tmp, "fakes");
    log = path.join(tmp, "calls.log");
    await writeFile(log, "");
    await mkdir(path.join(tmp, "home", ".cto", "bin"), { recursive: true });
    await mkdir(fakes);
    for (const name of ["install", "systemctl", "sudo"])
      await exe(path.join(fakes, name), `echo "${name} $*" >>"${log}"`);
    await exe(
      path.join(tmp, "home", ".cto", "bin", "k3s"),
      `case "$1" in --version) echo "k3s version v1.32.1+k3s1 (0000000)";; kubectl) exit 0;; esac`,
    );
  });
  afterEach(async () => rm(tmp, { recursive: true, force: true }));

  /** Runs a script as `uid` (what the stand-in `id -u` answers). */
  async function run(script: string, uid: number, version = "v1.32.1+k3s1") {
    await exe(path.join(fakes, "id"), `echo ${uid}`);
    const env = {
      PATH: `${fakes}:/usr/bin:/bin`,
      K3S_BIN: path.join(tmp, "home", ".cto", "bin", "k3s"),
      K3S_UNIT_DIR: path.join(tmp, "home", ".cto", "k3s"),
      K3S_VERSION: version,
      KUBECONFIG_PATH: path.join(tmp, "home", ".cto", "clusters", "acme", "kubeconfig"),
    };
    return { env, out: spawnSync("bash", ["-c", script], { env, encoding: "utf8" }) };
  }

  it("as a user: writes the unit under ~/.cto/k3s, runs nothing as root, prints the exact commands, exits 1", async () => {
    const { env, out } = await run(LOCAL_K3S_INSTALL, 1000);
    assert.equal(out.status, 1, out.stderr);
    assert.equal(await readFile(path.join(env.K3S_UNIT_DIR, "k3s.service"), "utf8"), K3S_UNIT);
    assert.equal(await readFile(log, "utf8"), "", "nothing was installed, started or sudo'ed");
    assert.match(out.stderr, /needs root; cto does not run sudo\. Run these as root, then cto up again:/);
    const commands = out.stderr
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => l.trim());
    assert.deepEqual(commands, [
      `sudo install -m 0755 ${env.K3S_BIN} /usr/local/bin/k3s`,
      `sudo install -m 0644 ${env.K3S_UNIT_DIR}/k3s.service /etc/systemd/system/k3s.service`,
      "sudo systemctl daemon-reload",
      "sudo systemctl enable --now k3s",
      `sudo install -m 0600 -o 1000 -g 1000 /etc/rancher/k3s/k3s.yaml ${env.KUBECONFIG_PATH}`,
    ]);
  });

  it("as root: installs the checked binary and the unit, starts k3s and copies the kubeconfig itself, no sudo", async () => {
    const { env, out } = await run(LOCAL_K3S_INSTALL, 0);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual((await readFile(log, "utf8")).trim().split("\n"), [
      `install -m 0755 ${env.K3S_BIN} /usr/local/bin/k3s`,
      `install -m 0644 ${env.K3S_UNIT_DIR}/k3s.service /etc/systemd/system/k3s.service`,
      "systemctl daemon-reload",
      "systemctl enable --now k3s",
      `install -m 0600 -o 0 -g 0 /etc/rancher/k3s/k3s.yaml ${env.KUBECONFIG_PATH}`,
    ]);
  });

  it("refuses a k3s binary of another version, before anything else", async () => {
    const { out } = await run(LOCAL_K3S_INSTALL, 0, "v1.33.0+k3s1");
    assert.equal(out.status, 1);
    assert.match(out.stderr, /is not k3s v1\.33\.0\+k3s1: run cto doctor --fix/);
    assert.equal(await readFile(log, "utf8"), "");
  });

  it("uninstall as a user with no cto unit on the machine: nothing to print, nothing run as root", async () => {
    const { out } = await run(LOCAL_K3S_UNINSTALL, 1000);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(await readFile(log, "utf8"), "");
  });
});
