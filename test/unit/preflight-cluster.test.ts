import { strict as assert } from "node:assert";
import {
  apiCheck,
  capacityCheck,
  clusterTarget,
  haNodesCheck,
  storageClassCheck,
  versionCheck,
} from "../../stacks/preflight/checks/cluster.js";
import type { CommandResult } from "../../stacks/diagnose/run.js";
import type { Plan } from "../../profiles/plan.js";
import { fakeProbes, GiB, makePlan, runCheck } from "./preflight-fixtures.js";

const KUBECONFIG = "/home/u/.kube/config";
const existing = makePlan({ cluster: { provider: "existing", kubeconfig: KUBECONFIG } });

const node = (
  name: string,
  cpu: string,
  memory: string,
  extra: { taints?: { key: string; effect: string }[]; ready?: boolean; unschedulable?: boolean } = {},
) => ({
  metadata: { name },
  spec: { taints: extra.taints, unschedulable: extra.unschedulable },
  status: {
    allocatable: { cpu, memory, pods: "110" },
    conditions: [{ type: "Ready", status: extra.ready === false ? "False" : "True" }],
  },
});
const pod = (ns: string, nodeName: string, cpu: string, memory: string) => ({
  metadata: { namespace: ns, name: `p-${ns}` },
  spec: { nodeName, containers: [{ resources: { requests: { cpu, memory } } }] },
});

/** A fake cluster answering kubectl: version, nodes, pods and storage classes. */
function cluster(
  opts: { version?: string; nodes?: unknown[]; pods?: unknown[]; storageClasses?: unknown[]; down?: string } = {},
) {
  const seen: string[][] = [];
  const probes = fakeProbes({
    exists: async (p) => p === KUBECONFIG || p === "/home/u/.cto/kube/acme.yaml",
    commands: {
      kubectl: (args): Partial<CommandResult> => {
        seen.push(args);
        const rest = args.slice(args.findIndex((a) => a.startsWith("--request-timeout")) + 1).join(" ");
        if (opts.down) return { code: 1, stderr: opts.down };
        if (rest === "get --raw /version") return { stdout: JSON.stringify({ gitVersion: opts.version ?? "v1.31.4" }) };
        if (rest === "get nodes -o json") return { stdout: JSON.stringify({ items: opts.nodes ?? [] }) };
        if (rest.startsWith("get pods --all-namespaces")) return { stdout: JSON.stringify({ items: opts.pods ?? [] }) };
        if (rest === "get storageclasses -o json")
          return { stdout: JSON.stringify({ items: opts.storageClasses ?? [] }) };
        return { code: 1, stderr: `unexpected kubectl ${rest}` };
      },
    },
  });
  return Object.assign(probes, { seen });
}

/** A plan whose requests are exactly 7.5 CPU and 14 GiB. */
function sized(base: Plan): Plan {
  return {
    ...base,
    components: [],
    agents: [{ name: "big", resources: { cpu: "7500m", memory: "14Gi" }, features: {} }],
  };
}

describe("preflight: cluster", () => {
  it("targets the configured kubeconfig and context, or KUBECONFIG, or ~/.kube/config", () => {
    const probes = fakeProbes({ env: { KUBECONFIG: "/k/a.yaml:/k/b.yaml" } });
    const ctx = (plan: Plan) => ({ plan, probes, ctoHome: "/home/u/.cto" });
    assert.deepEqual(
      clusterTarget(ctx(makePlan({ cluster: { provider: "existing", kubeconfig: "~/k.yaml", context: "prod" } }))),
      { kubeconfig: "/home/u/k.yaml", context: "prod" },
    );
    assert.deepEqual(clusterTarget(ctx(makePlan({ cluster: { provider: "existing", kubeconfig: undefined } }))), {
      kubeconfig: "/k/a.yaml",
    });
    assert.deepEqual(clusterTarget(ctx(makePlan())), { kubeconfig: "/home/u/.cto/kube/acme.yaml" });
  });

  describe("API reachable", () => {
    it("existing cluster with a missing kubeconfig fails; a kind cluster not created yet is skipped", async () => {
      const missing = await runCheck(apiCheck, existing, fakeProbes());
      assert.deepEqual([missing.status, missing.reason], ["fail", `kubeconfig ${KUBECONFIG} does not exist`]);
      assert.equal((await runCheck(apiCheck, makePlan(), fakeProbes())).status, "skip");
    });
    it("unreachable: kubectl's words and a provider-specific fix", async () => {
      const down = cluster({
        down: "E1125 03:00:00.000 memcache.go:265] couldn't get current server API group list\nThe connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n",
      });
      const r = await runCheck(apiCheck, makePlan(), down);
      assert.equal(r.status, "fail");
      assert.match(r.reason, /connection to the server 127\.0\.0\.1:6443 was refused/);
      assert.match(r.fix ?? "", /^docker start acme-control-plane/);
    });
    it("reachable: reports the version, passing --kubeconfig and --context to kubectl", async () => {
      const probes = cluster({ version: "v1.31.4" });
      const plan = makePlan({ cluster: { provider: "existing", kubeconfig: KUBECONFIG, context: "prod" } });
      const r = await runCheck(apiCheck, plan, probes);
      assert.deepEqual([r.status, r.reason], ["ok", "reachable, Kubernetes v1.31.4"]);
      assert.deepEqual(probes.seen[0]?.slice(0, 4), ["--kubeconfig", KUBECONFIG, "--context", "prod"]);
    });
  });

  describe("version range", () => {
    it("too old fails, newest tested passes, newer warns", async () => {
      const old = await runCheck(versionCheck, existing, cluster({ version: "v1.26.3" }));
      assert.equal(old.status, "fail");
      assert.match(old.reason, /1\.26\.3 is older than 1\.28\.0; cto supports 1\.28 to 1\.36/);
      assert.equal((await runCheck(versionCheck, existing, cluster({ version: "v1.36.1" }))).status, "ok");
      assert.equal((await runCheck(versionCheck, existing, cluster({ version: "v1.28.0-eks-1" }))).status, "ok");
      const newer = await runCheck(versionCheck, existing, cluster({ version: "v1.37.0" }));
      assert.deepEqual([newer.status, newer.critical], ["warn", false]);
    });
  });

  describe("nodes for high availability (Argo CD redis-ha: 3 pods, hard anti-affinity)", () => {
    const ha = (base: Plan): Plan => ({ ...base, features: { ...base.features, highAvailability: true } });
    it("applies only with high availability", () => {
      assert.equal(haNodesCheck.appliesTo(existing), false);
      assert.equal(haNodesCheck.appliesTo(ha(existing)), true);
    });
    it("fails with two schedulable nodes (a cordoned third does not count), passes with three", async () => {
      const two = await runCheck(
        haNodesCheck,
        ha(existing),
        cluster({
          nodes: [node("a", "4", "8Gi"), node("b", "4", "8Gi"), node("c", "4", "8Gi", { unschedulable: true })],
        }),
      );
      assert.equal(two.status, "fail");
      assert.equal(haNodesCheck.critical, true);
      assert.match(two.reason, /^2 schedulable nodes; high availability needs 3: Argo CD's redis-ha/);
      assert.match(two.fix ?? "", /features\.high_availability: false/);
      const three = await runCheck(
        haNodesCheck,
        ha(existing),
        cluster({ nodes: [node("a", "4", "8Gi"), node("b", "4", "8Gi"), node("c", "4", "8Gi")] }),
      );
      assert.equal(three.status, "ok");
    });
    it("before the cluster exists: the simulated plan's node count", async () => {
      const sim = ha(makePlan({ cluster: { provider: "simulated", nodes: 2, cpu: "2", memory: "4Gi" } }));
      const r = await runCheck(haNodesCheck, sim, fakeProbes());
      assert.equal(r.status, "fail");
      assert.match(r.reason, /^2 schedulable nodes planned/);
    });
  });

  describe("capacity: allocatable against the plan's requests", () => {
    it("refuses a cluster that is too small, saying by how much", async () => {
      const probes = cluster({ nodes: [node("n1", "2", "4Gi"), node("n2", "2000m", "4096Mi")] });
      const r = await runCheck(capacityCheck, sized(existing), probes);
      assert.equal(r.status, "fail");
      assert.equal(
        r.reason,
        "short by 3.5 CPU and 6 GiB: the plan requests 7.5 CPU and 14 GiB; 2 schedulable nodes have 4 CPU and 8 GiB allocatable",
      );
      assert.match(r.fix ?? "", /Add nodes/);
      assert.deepEqual(r.details?.shortBy, { cpu: 3.5, memoryBytes: 6 * GiB });
    });
    it("passes when there is enough", async () => {
      const r = await runCheck(capacityCheck, sized(existing), cluster({ nodes: [node("n1", "8", "16Gi")] }));
      assert.equal(r.status, "ok");
    });
    it("names only the short resource", async () => {
      const r = await runCheck(capacityCheck, sized(existing), cluster({ nodes: [node("n1", "16", "8Gi")] }));
      assert.match(r.reason, /^short by 6 GiB: /);
    });
    it("ignores NotReady, cordoned and tainted nodes; subtracts other pods' requests but not the platform's own", async () => {
      const probes = cluster({
        nodes: [
          node("ok", "8", "16Gi"),
          node("cp", "8", "16Gi", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
          node("down", "8", "16Gi", { ready: false }),
          node("cordoned", "8", "16Gi", { unschedulable: true }),
        ],
        pods: [pod("kube-system", "ok", "1", "3Gi"), pod("argocd", "ok", "4", "8Gi"), pod("other", "cp", "4", "4Gi")],
      });
      const r = await runCheck(capacityCheck, sized(existing), probes);
      assert.equal(r.status, "fail");
      assert.equal(
        r.reason,
        "short by 0.5 CPU and 1 GiB: the plan requests 7.5 CPU and 14 GiB; 1 schedulable node has 8 CPU and 16 GiB allocatable (1 CPU and 3 GiB already requested by other pods)",
      );
    });
    it("before the cluster exists: the simulated plan's node sizes, this machine for kind", async () => {
      const sim = sized(makePlan({ cluster: { provider: "simulated", nodes: 2, cpu: "2", memory: "4Gi" } }));
      const r = await runCheck(capacityCheck, sim, fakeProbes());
      assert.equal(
        r.reason,
        "short by 3.5 CPU and 6 GiB: the plan requests 7.5 CPU and 14 GiB; the planned 2 nodes have 4 CPU and 8 GiB",
      );
      assert.match(r.fix ?? "", /cluster\.simulated/);
      const kind = await runCheck(
        capacityCheck,
        sized(makePlan()),
        fakeProbes({ cpuCount: () => 9, memInfo: async () => ({ totalBytes: 16 * GiB, availableBytes: 0 }) }),
      );
      assert.equal(kind.status, "ok");
      assert.match(
        kind.reason,
        /this machine \(the cluster's node\) has 9 CPU and 16 GiB, of which kind itself takes 1 CPU and 2 GiB/,
      );
      // The kind node's own share is not the platform's: 8 CPU for 7.5 requested is short once it is taken.
      const tight = await runCheck(
        capacityCheck,
        sized(makePlan()),
        fakeProbes({ cpuCount: () => 8, memInfo: async () => ({ totalBytes: 16 * GiB, availableBytes: 0 }) }),
      );
      assert.equal(tight.status, "fail");
      assert.match(tight.reason, /^short by 0\.5 CPU:/);
      const remote = makePlan({
        cluster: { provider: "k3s", nodes: [{ host: "h", user: "root", port: 22, role: "server", arch: "amd64" }] },
      });
      assert.equal((await runCheck(capacityCheck, remote, fakeProbes())).status, "skip");
    });
  });

  describe("default StorageClass", () => {
    const sc = (name: string, isDefault: boolean) => ({
      metadata: { name, annotations: isDefault ? { "storageclass.kubernetes.io/is-default-class": "true" } : {} },
    });
    it("present passes; missing is critical only when the plan has volumes", async () => {
      assert.equal(
        (await runCheck(storageClassCheck, existing, cluster({ storageClasses: [sc("local-path", true)] }))).reason,
        "local-path",
      );
      const plain = await runCheck(storageClassCheck, existing, cluster({ storageClasses: [sc("slow", false)] }));
      assert.deepEqual([plain.status, plain.critical], ["warn", false]);
      assert.match(plain.fix ?? "", /kubectl patch storageclass slow/);
      const withDb = { ...existing, features: { ...existing.features, databases: true } };
      const none = await runCheck(storageClassCheck, withDb, cluster({ storageClasses: [] }));
      assert.equal(none.status, "fail");
      assert.match(none.reason, /no StorageClass at all; the plan's databases\/monitoring\/backup need volumes/);
    });
    it("kind/k3s bring their own before the cluster exists", async () => {
      const r = await runCheck(storageClassCheck, makePlan({ cluster: { provider: "k3s" } }), fakeProbes());
      assert.match(r.reason, /k3s brings its default StorageClass \(local-path\)/);
    });
  });
});
