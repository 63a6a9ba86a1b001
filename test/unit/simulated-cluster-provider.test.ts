/**
 * The SimulatedCluster provider's ownership and clean-up rules, with a fake kwokctl that records
 * its calls (the real cluster is exercised by test/e2e/simulated-cluster and the drills).
 */
import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simulatedClusterProvider } from "../../components/cluster/simulated.js";

const NAME = "acme-dev";

/** A bin dir whose kwokctl logs its arguments, makes the cluster dir on create and then fails, and deletes it on delete. */
function fakeBinDir(root: string): { binDir: string; calls: () => string[] } {
  const binDir = path.join(root, "bin");
  const log = path.join(root, "kwokctl.log");
  mkdirSync(binDir);
  for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kwok"]) {
    writeFileSync(path.join(binDir, name), "#!/bin/sh\nexit 0\n");
    chmodSync(path.join(binDir, name), 0o755);
  }
  writeFileSync(
    path.join(binDir, "kwokctl"),
    [
      "#!/bin/sh",
      `echo "$3 $4" >> ${JSON.stringify(log)}`,
      'dir="$KWOK_WORKDIR/clusters/$2"',
      'case "$3 $4" in',
      '  "create cluster") mkdir -p "$dir"; echo "etcd did not start in time" >&2; exit 1 ;;',
      '  "delete cluster") rm -rf "$dir"; exit 0 ;;',
      "esac",
      "exit 1",
      "",
    ].join("\n"),
  );
  chmodSync(path.join(binDir, "kwokctl"), 0o755);
  return { binDir, calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []) };
}

describe("components/cluster/simulated: who owns a cluster directory, and clean-up after a failed create", function () {
  let root: string;
  let workdir: string;

  beforeEach(function () {
    root = mkdtempSync(path.join(tmpdir(), "cto-simulated-"));
    workdir = path.join(root, "clusters", NAME, "kwok");
  });
  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  const inputs = (binDir: string, owner = "acme-platform/dev") => ({
    name: NAME,
    nodes: 1,
    cpu: "4",
    memory: "8Gi",
    workdir,
    binDir,
    owner,
  });

  it("check: the owner is the one already recorded, else the stack's, else a random token", async function () {
    const news = inputs("/bin");
    type Inputs = typeof news;
    const ownerAfterCheck = async (olds: Partial<Inputs>, n: Inputs) =>
      (await simulatedClusterProvider.check!(olds as Inputs, n)).inputs?.owner;
    assert.equal(await ownerAfterCheck({}, news), "acme-platform/dev", "a new resource takes the stack's name");
    assert.equal(
      await ownerAfterCheck({ ...news, owner: "0f0e-old-token" }, news),
      "0f0e-old-token",
      "an existing resource keeps the owner it was created with",
    );
    const random = await ownerAfterCheck({}, { ...news, owner: "" });
    assert.match(String(random), /^[0-9a-f-]{36}$/);
  });

  it("a failed create deletes what it started: the cluster, its owner file and directories", async function () {
    const fake = fakeBinDir(root);
    await assert.rejects(simulatedClusterProvider.create!(inputs(fake.binDir)), /etcd did not start in time/);
    assert.deepEqual(fake.calls(), ["create cluster", "delete cluster"]);
    assert.equal(existsSync(path.join(workdir, `${NAME}.owner`)), false, "owner file removed");
    assert.equal(existsSync(path.join(root, "clusters", NAME)), false, "cto's cluster directory removed");
  });

  it("a directory left by this stack's interrupted create is deleted and created again", async function () {
    const fake = fakeBinDir(root);
    mkdirSync(path.join(workdir, "clusters", NAME), { recursive: true });
    writeFileSync(path.join(workdir, `${NAME}.owner`), "acme-platform/dev\n");
    await assert.rejects(simulatedClusterProvider.create!(inputs(fake.binDir)), /etcd did not start/);
    assert.deepEqual(fake.calls(), ["delete cluster", "create cluster", "delete cluster"]);
  });

  it("a directory owned by another stack is refused and left untouched", async function () {
    const fake = fakeBinDir(root);
    mkdirSync(path.join(workdir, "clusters", NAME), { recursive: true });
    writeFileSync(path.join(workdir, `${NAME}.owner`), "acme-platform/staging\n");
    await assert.rejects(simulatedClusterProvider.create!(inputs(fake.binDir)), /belongs to another stack/);
    assert.deepEqual(fake.calls(), []);
    assert.equal(readFileSync(path.join(workdir, `${NAME}.owner`), "utf8"), "acme-platform/staging\n");
    assert.equal(existsSync(path.join(workdir, "clusters", NAME)), true);
  });
});
