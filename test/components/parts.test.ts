/** Smaller parts: the generated-secret provider, the stable bcrypt hash, chart sources, registry and tunnel. */
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { mkdtempSync, readFileSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chartSource } from "../../components/chart-release.js";
import { kubeconfigFileProvider } from "../../components/cluster/kubeconfig-file.js";
import { ALPHANUMERIC, generatedSecretProvider } from "../../components/generated-secret.js";
import { stableBcrypt } from "../../components/password-hash.js";
import { registryPort } from "../../components/registry.js";
import { dockerConfigJson, registryHost } from "../../templates/pull-secret.js";
import { acme, buildUnderMocks } from "./fixtures.js";
import { find, isSecretAt } from "./harness.js";

describe("component parts", function () {
  this.timeout(60_000);

  it("GeneratedSecret's provider: length and alphabet honoured, values differ, diff replaces only on input change", async () => {
    const a = await generatedSecretProvider.create({ length: 40, alphabet: ALPHANUMERIC });
    const b = await generatedSecretProvider.create({ length: 40, alphabet: ALPHANUMERIC });
    assert.equal(a.outs.value.length, 40);
    assert.match(a.outs.value, /^[A-Za-z0-9]{40}$/);
    assert.notEqual(a.outs.value, b.outs.value);
    const hex = await generatedSecretProvider.create({ length: 64, alphabet: "0123456789abcdef" });
    assert.match(hex.outs.value, /^[0-9a-f]{64}$/);
    const same = await generatedSecretProvider.diff!(a.id, a.outs, { length: 40, alphabet: ALPHANUMERIC });
    assert.equal(same.changes, false, "an unchanged secret is never regenerated");
    const longer = await generatedSecretProvider.diff!(a.id, a.outs, { length: 48, alphabet: ALPHANUMERIC });
    assert.deepEqual([longer.changes, longer.replaces], [true, ["length"]]);
  });

  it("KubeconfigFile's provider writes the file 0600 in a 0700 directory, rewrites it, removes it", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "cto-kubeconfig-")), "clusters", "acme", "kubeconfig");
    const created = await kubeconfigFileProvider.create({ path: file, content: "first" });
    assert.equal(readFileSync(file, "utf8"), "first");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    const diff = await kubeconfigFileProvider.diff!(created.id, created.outs!, { path: file, content: "second" });
    assert.deepEqual([diff.changes, diff.replaces], [true, []]);
    await kubeconfigFileProvider.update!(created.id, created.outs!, { path: file, content: "second" });
    assert.equal(readFileSync(file, "utf8"), "second");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await kubeconfigFileProvider.delete!(created.id, { path: file, content: "second" });
    assert.equal(existsSync(file), false);
  });

  it("stableBcrypt: a valid bcrypt hash of the password, the same on every run", () => {
    const hash = stableBcrypt("correct horse battery staple");
    assert.match(hash, /^\$2a\$10\$/);
    assert.ok(bcrypt.compareSync("correct horse battery staple", hash));
    assert.ok(!bcrypt.compareSync("wrong", hash));
    assert.equal(stableBcrypt("correct horse battery staple"), hash);
    assert.notEqual(stableBcrypt("another password"), hash);
  });

  it("chart sources: Helm repositories through repositoryOpts, OCI references as the chart", () => {
    assert.deepEqual(
      chartSource({ repository: "https://mirror.acme.example/argo", chart: "argo-cd", version: "7.8.0" }),
      {
        chart: "argo-cd",
        repositoryOpts: { repo: "https://mirror.acme.example/argo" },
      },
    );
    assert.deepEqual(
      chartSource({ repository: "oci://registry.acme.example/charts/", chart: "cto-controller", version: "0.1.0" }),
      {
        chart: "oci://registry.acme.example/charts/cto-controller",
      },
    );
  });

  it("registry helpers: host, port and .dockerconfigjson", () => {
    assert.equal(registryHost("registry.acme.example:5000/platform"), "registry.acme.example:5000");
    assert.equal(registryPort("localhost:5001"), 5001);
    assert.equal(registryPort("registry.acme.example"), 5000);
    const doc = JSON.parse(dockerConfigJson("registry.acme.example", "deploy", "pw")) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(Buffer.from(doc.auths["registry.acme.example"]!.auth, "base64").toString(), "deploy:pw");
  });

  it("a chart mirror in the plan is what the release uses", async () => {
    const plan = acme("minimal", (p) => {
      for (const c of p.components)
        if (c.chart) c.chart = { ...c.chart, repository: "https://charts.mirror.acme.example" };
    });
    const { recorded } = await buildUnderMocks(plan);
    const releases = recorded.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    assert.equal(
      releases.length,
      4,
      "argo-cd, argo-workflows, argo-events, ingress-nginx (the controller is no chart)",
    );
    for (const r of releases) assert.deepEqual(r.inputs.repositoryOpts, { repo: "https://charts.mirror.acme.example" });
  });

  it("tunnel: ngrok relay with the token from its Secret through the environment, after the controller", async () => {
    const plan = acme("minimal", (p) => {
      p.github.tunnel = { provider: "ngrok", url: "https://acme-hooks.ngrok.app" };
    });
    const secrets: Record<string, string> = { "registry.password": "pw", "github.tunnel.token": "ngrok-token" };
    const { recorded } = await buildUnderMocks(plan, secrets);
    const token = find(recorded, "kubernetes:core/v1:Secret", "tunnel-token");
    assert.ok(isSecretAt(token.raw, ["stringData", "token"]));
    const relay = find(recorded, "kubernetes:apps/v1:Deployment", "tunnel-relay");
    const container = (relay.inputs.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template
      .spec.containers[0]!;
    assert.deepEqual(container.args, [
      "http",
      "--url=https://acme-hooks.ngrok.app",
      // ngrok passes the request path (/github/<agent>) through to the receiver.
      "http://cto-github-eventsource-svc.cto.svc.cluster.local:12000",
    ]);
    assert.deepEqual(container.env, [
      { name: "NGROK_AUTHTOKEN", valueFrom: { secretKeyRef: { name: "cto-tunnel", key: "token" } } },
    ]);
    assert.ok(!JSON.stringify(relay.inputs).includes("ngrok-token"), "the token is not in the Deployment");
    assert.ok(relay.dependsOn.includes("controller-eventsource-cto-github"), "after the webhook receiver");
  });
});
