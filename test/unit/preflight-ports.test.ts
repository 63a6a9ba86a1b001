import { strict as assert } from "node:assert";
import net from "node:net";
import { portsCheck, requiredPorts } from "../../stacks/preflight/checks/ports.js";
import { realProbes, type PortStatus } from "../../stacks/preflight/probes.js";
import { fakeProbes, makePlan, runCheck } from "./preflight-fixtures.js";

const ports = (busy: Record<number, string | undefined>) =>
  fakeProbes({
    port: async (p): Promise<PortStatus> => (p in busy ? { state: "busy", holder: busy[p] } : { state: "free" }),
  });

describe("preflight: ports", () => {
  it("kind needs its port mappings; k3s its API, kubelet and ingress ports; others none", () => {
    assert.deepEqual(requiredPorts(makePlan()), [80, 443, 8080, 2746, 3000]);
    assert.deepEqual(requiredPorts(makePlan({ cluster: { provider: "k3s" } })), [6443, 10250, 80, 443]);
    const noIngress = makePlan({ cluster: { provider: "k3s" } });
    noIngress.platform.ingressType = "none";
    assert.deepEqual(requiredPorts(noIngress), [6443, 10250]);
    assert.equal(portsCheck.appliesTo(makePlan({ cluster: { provider: "minikube" } })), false);
    assert.equal(portsCheck.appliesTo(makePlan({ cluster: { provider: "existing" } })), false);
  });
  it("all free passes", async () => {
    const r = await runCheck(portsCheck, makePlan(), ports({}));
    assert.deepEqual([r.status, r.reason], ["ok", "80, 443, 8080, 2746, 3000 free"]);
  });
  it("a busy port fails naming the process that holds it", async () => {
    const r = await runCheck(portsCheck, makePlan(), ports({ 8080: "java (pid 4242)", 3000: undefined }));
    assert.equal(r.status, "fail");
    assert.equal(
      r.reason,
      "busy: 8080 (held by java (pid 4242)), 3000 (held by a process the OS does not name to this user)",
    );
    assert.match(r.fix ?? "", /kill 4242/);
  });
  it("ports held by the provider's own running cluster are not a conflict", async () => {
    const probes = fakeProbes({
      exists: async (p) => p === "/home/u/.cto/kube/acme.yaml",
      port: async (p): Promise<PortStatus> =>
        p === 80 || p === 443 ? { state: "busy", holder: "docker-proxy (pid 77)" } : { state: "free" },
    });
    const r = await runCheck(portsCheck, makePlan(), probes);
    assert.deepEqual([r.status, r.reason], ["ok", "8080, 2746, 3000 free; 80, 443 held by the kind cluster"]);
  });

  describe("the real probe on this machine", () => {
    it("reports a port this test listens on as busy, and names this process where ss can", async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const status = await realProbes().port(port);
        assert.equal(status.state, "busy");
        if (status.state === "busy" && status.holder !== undefined)
          assert.match(status.holder, new RegExp(`\\(pid ${process.pid}\\)`));
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      assert.deepEqual(await realProbes().port(port), { state: "free" });
    });
  });
});
