import { strict as assert } from "node:assert";
import { preflightChecks, runPreflight } from "../../stacks/preflight/registry.js";
import { renderReport, symbolOf } from "../../stacks/preflight/report.js";
import type { CheckResult } from "../../stacks/preflight/types.js";
import { fakeProbes, makePlan } from "./preflight-fixtures.js";

const ids = (plan: Parameters<typeof preflightChecks>[0]) => preflightChecks(plan).map((c) => c.id);

describe("preflight: registry and report", () => {
  it("each provider gets its own tool checks", () => {
    const kind = ids(makePlan());
    assert.ok(kind.includes("tool.docker") && kind.includes("tool.kind") && kind.includes("host.ports"));
    assert.ok(!kind.includes("host.systemd") && !kind.includes("tool.minikube"));
    const k3s = ids(makePlan({ cluster: { provider: "k3s" } }));
    assert.ok(
      ["host.linux", "host.root", "host.systemd", "host.ports", "machine.memory"].every((i) => k3s.includes(i)),
    );
    assert.ok(!k3s.includes("tool.docker"));
    const remote = ids(
      makePlan({
        cluster: { provider: "k3s", nodes: [{ host: "a", user: "root", port: 22, role: "server", arch: "amd64" }] },
      }),
    );
    assert.ok(remote.includes("ssh.a") && !remote.includes("machine.memory") && !remote.includes("host.ports"));
    // SSH hosts get the k3s binary of their arch (checked on this machine), not this machine's k3s.
    assert.ok(remote.includes("tool.k3s-host-amd64") && !remote.includes("tool.k3s"));
    assert.ok(!k3s.includes("tool.k3s-host-amd64") && k3s.includes("tool.k3s"));
    const existing = ids(makePlan({ cluster: { provider: "existing" } }));
    assert.ok(!existing.includes("machine.memory") && existing.includes("cluster.capacity"));
    assert.ok(ids(makePlan({ cluster: { provider: "simulated" } })).includes("tool.simulated"));
    for (const list of [kind, k3s, remote, existing]) {
      assert.ok(
        ["tool.node", "tool.pulumi", "tool.kubectl", "state.backend", "state.passphrase", "github.token"].every((i) =>
          list.includes(i),
        ),
      );
    }
  });

  it("a machine with nothing installed gives a report that refuses, with counts", async () => {
    const plan = makePlan();
    const report = await runPreflight(plan, { probes: fakeProbes() });
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.ok, false);
    assert.deepEqual([report.environment, report.profile, report.provider], ["dev", "minimal", "kind"]);
    const failed = report.checks.filter((c) => c.status === "fail" && c.critical).map((c) => c.id);
    assert.deepEqual(failed, ["tool.pulumi", "tool.pulumi-kubernetes", "tool.kubectl", "tool.docker", "tool.kind"]);
    assert.equal(report.summary.criticalFailures, 5);
    assert.equal(
      report.summary.ok + report.summary.failed + report.summary.warnings + report.summary.skipped,
      report.checks.length,
    );
    for (const c of report.checks.filter((x) => x.status === "fail" || x.status === "warn"))
      assert.ok(c.fix, `${c.id} has a fix`);
  });

  it("a check that throws becomes a failure naming the bug, not a crash", async () => {
    const report = await runPreflight(makePlan(), {
      probes: fakeProbes({
        cpuCount: () => {
          throw new Error("boom");
        },
      }),
    });
    const cpu = report.checks.find((c) => c.id === "machine.cpu");
    assert.equal(cpu?.status, "fail");
    assert.match(cpu?.reason ?? "", /the check itself failed: boom/);
  });

  it("reports each result as it finishes", async () => {
    const seen: string[] = [];
    const report = await runPreflight(makePlan(), { probes: fakeProbes(), onResult: (r) => seen.push(r.id) });
    assert.deepEqual([...seen].sort(), report.checks.map((c) => c.id).sort());
  });

  it("renders ✓ ✗ ! - with fixes under failures and a verdict", () => {
    const mk = (status: CheckResult["status"], critical: boolean, name: string): CheckResult => ({
      id: name,
      name,
      status,
      critical,
      reason: `${name} reason`,
      fix: `${name} fix`,
    });
    const checks = [
      mk("ok", true, "A"),
      mk("fail", true, "B"),
      mk("fail", false, "C"),
      mk("warn", false, "D"),
      mk("skip", true, "E"),
    ];
    assert.deepEqual(checks.map(symbolOf), ["✓", "✗", "!", "!", "-"]);
    const text = renderReport({
      schemaVersion: 1,
      ok: false,
      environment: "dev",
      profile: "minimal",
      provider: "kind",
      summary: { ok: 1, failed: 2, warnings: 1, skipped: 1, criticalFailures: 1 },
      checks,
    });
    assert.match(text, /^ {2}✗ {2}B +B reason\n +fix: B fix$/m);
    assert.doesNotMatch(text, /A fix|E fix/);
    assert.match(
      text,
      /1 ok, 1 critical, 1 non-critical failure, 1 warning, 1 not applicable yet\. cto up refuses to start/,
    );
    assert.doesNotMatch(text, /\x1b\[/);
    assert.match(
      renderReport(
        {
          schemaVersion: 1,
          ok: true,
          environment: "dev",
          profile: "minimal",
          provider: "kind",
          summary: { ok: 1, failed: 0, warnings: 0, skipped: 0, criticalFailures: 0 },
          checks: [checks[0] as CheckResult],
        },
        { color: true },
      ),
      /\x1b\[32m✓/,
    );
  });
});
