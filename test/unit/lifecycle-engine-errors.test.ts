import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../../config/paths.js";
import { describeLockHolder, explainEngineError, parseLockHolders } from "../../stacks/engine-errors.js";
import { acmePlan } from "../golden/acme-plans.js";

const plan = acmePlan("standard");
const ctx = { environment: "dev", plan, passphraseFile: "/home/u/.cto/passphrase" };

describe("engine error table", () => {
  it("lock held: names every holder (user, host, pid, time) and says how to clear it", () => {
    const text =
      "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
      "  file:///tmp/s/.pulumi/locks/organization/acme/dev/1b2c.json?no_tmp_dir=true: created by alice@build-1 (pid 4242) at 2026-11-25T12:00:00Z";
    const e = explainEngineError(text, ctx);
    assert.equal(e?.kind, "lock-held");
    assert.match(e.message, /alice@build-1 \(pid 4242\) since 2026-11-25T12:00:00Z/);
    assert.match(e.fix, /cto cancel --env dev/);
    const holders = parseLockHolders(text);
    assert.equal(holders.length, 1);
    assert.equal(holders[0]?.file, "file:///tmp/s/.pulumi/locks/organization/acme/dev/1b2c.json");
    assert.equal(describeLockHolder(holders[0]!), "alice@build-1 (pid 4242) since 2026-11-25T12:00:00Z");
  });

  it("wrong passphrase points at the passphrase file", () => {
    const e = explainEngineError(
      'error: getting secrets manager: constructing secrets manager of type "passphrase": incorrect passphrase',
      ctx,
    );
    assert.equal(e?.kind, "wrong-passphrase");
    assert.match(e.fix, /PULUMI_CONFIG_PASSPHRASE_FILE/);
    assert.match(e.fix, /\/home\/u\/\.cto\/passphrase/);
  });

  it("missing passphrase", () => {
    const e = explainEngineError(
      "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
      ctx,
    );
    assert.equal(e?.kind, "missing-passphrase");
  });

  it("cluster unreachable names the endpoint", () => {
    const e = explainEngineError(
      'error: configured Kubernetes cluster is unreachable: unable to load schema information from the API server: Get "https://127.0.0.1:6443/openapi/v2?timeout=32s": dial tcp 127.0.0.1:6443: connect: connection refused',
      ctx,
    );
    assert.equal(e?.kind, "cluster-unreachable");
    assert.match(e.message, /https:\/\/127\.0\.0\.1:6443/);
    assert.match(e.fix, /kubectl get nodes/);
  });

  it("chart version not found names the component and the version", () => {
    const e = explainEngineError(
      'error: kubernetes:helm.sh/v3:Release resource \'monitoring\' has a problem: chart "kube-prometheus-stack" version "99.0.0" not found in https://prometheus-community.github.io/helm-charts repository',
      ctx,
    );
    assert.equal(e?.kind, "chart-not-found");
    assert.match(e.message, /component monitoring: chart kube-prometheus-stack version 99\.0\.0/);
    assert.match(e.fix, /cto upgrade --to/);
  });

  it("CRD missing names the kind and the component that installs it", () => {
    const e = explainEngineError(
      'error: creation of resource cto/rex failed because the Kubernetes API server reported that the apiVersion for this resource does not exist. Verify that any required CRDs have been created: no matches for kind "WorkflowTemplate" in version "argoproj.io/v1alpha1"',
      ctx,
    );
    assert.equal(e?.kind, "crd-missing");
    assert.match(e.message, /WorkflowTemplate \(argoproj\.io\/v1alpha1\), which component argo-workflows installs/);
  });

  it("CRD missing for an unknown kind falls back to its API group", () => {
    const e = explainEngineError('no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"', ctx);
    assert.equal(e?.kind, "crd-missing");
    assert.match(e.message, /monitoring installs/);
  });

  it("plugin missing gives the plugin and version", () => {
    const e = explainEngineError(
      "error: no resource plugin 'pulumi-resource-random' found in the workspace at version v4.21.1 or on your $PATH, install the plugin using `pulumi plugin install resource random v4.21.1`",
      ctx,
    );
    assert.equal(e?.kind, "plugin-missing");
    assert.match(e.message, /"random" 4\.21\.1 is not installed \(cto does not let the engine download plugins\)/);
    assert.match(e.fix, /put pulumi-resource-random 4\.21\.1 into ~\/\.cto\/bin/);
    const k8s = explainEngineError(
      "error: no resource plugin 'pulumi-resource-kubernetes' found in the workspace at version v4.32.0 or on your $PATH",
      ctx,
    );
    assert.match(k8s?.fix ?? "", /^cto doctor --fix {3}\(installs the pinned kubernetes plugin/);
  });

  // The error older engines printed; the pinned one only warns (see the replayed "pending-operations").
  it("pending operations after a crash suggest refresh --clear-pending (an older engine's error)", () => {
    const e = explainEngineError(
      "error: the current deployment has 1 resource(s) with pending operations:\n  * urn:pulumi:dev::acme::x::y, interrupted while creating",
      ctx,
    );
    assert.equal(e?.kind, "pending-operations");
    assert.match(e.fix, /cto refresh --env dev --clear-pending/);
  });

  it("unknown failures are not guessed at", () => {
    assert.equal(explainEngineError("error: something nobody has seen before", ctx), undefined);
  });
});

/** Texts the real engine printed, recorded by test/e2e/engine-errors-real.test.ts (which fails when they change). */
describe("engine error table, on texts the real engine printed", () => {
  const fixture = JSON.parse(
    readFileSync(path.join(packageRoot(), "test", "fixtures", "engine-errors.json"), "utf8"),
  ) as { case: string; kind: string | null; text: string }[];
  const textOf = (name: string): string => fixture.find((f) => f.case === name)?.text ?? "";

  it("the recorded cases are all there", () => {
    assert.deepEqual(
      fixture.map((f) => f.case),
      [
        "lock-held",
        "wrong-passphrase",
        "missing-passphrase",
        "plugin-missing",
        "update-race",
        "import-during-update",
        "pending-operations",
      ],
    );
  });

  for (const f of fixture) {
    it(`${f.case}: ${f.kind === null ? "not taken for a failure" : `explained as ${f.kind}`}`, () => {
      const e = explainEngineError(f.text, ctx);
      assert.equal(e?.kind ?? null, f.kind, f.text);
    });
  }

  it("lock-held: the holder is read from the real text", () => {
    const text = fixture.find((f) => f.case === "lock-held")?.text ?? "";
    const holders = parseLockHolders(text);
    assert.equal(holders.length, 1);
    assert.equal(describeLockHolder(holders[0]!), "<user>@<host> (pid 12345) since <time>");
    assert.match(explainEngineError(text, ctx)?.fix ?? "", /cto cancel --env dev/);
  });

  it("plugin-missing: the plugin and version are read from the real text", () => {
    const e = explainEngineError(fixture.find((f) => f.case === "plugin-missing")?.text ?? "", ctx);
    assert.match(e?.message ?? "", /"random" 4\.21\.1 is not installed/);
  });

  it("update-race and import-during-update: a file backend's conflict is its lock, holder named", () => {
    for (const name of ["update-race", "import-during-update"]) {
      const e = explainEngineError(textOf(name), ctx);
      assert.equal(e?.kind, "lock-held", name);
      assert.match(e.message, /locked by <user>@<host> \(pid 12345\) since <time>/, name);
      assert.match(e.fix, /cto cancel --env dev/, name);
    }
  });

  it("pending-operations: a failure whose output also holds the engine's warning is explained by its own cause", () => {
    const warning = textOf("pending-operations");
    assert.match(warning, /pending operations from previous deployment/);
    const e = explainEngineError(`${warning}\n${textOf("plugin-missing")}`, ctx);
    assert.equal(e?.kind, "plugin-missing");
  });
});
