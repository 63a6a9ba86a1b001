/**
 * `cto backup list | create | restore` (issue 18 item 3) through the built binary against a kwok
 * API server holding the REAL Velero CRDs of the chart version the plan pins (from
 * ../shared/charts-data; without it the file says so and skips). No Velero runs on kwok, so the test
 * plays Velero's part where a phase is needed: it writes `status` on the objects (Velero's CRDs
 * have no status subresource; Velero itself writes it so). What it shows: the API server accepts
 * the Backup and Restore objects cto creates, validated against Velero's own schema, and they hold
 * the fields cto means (scope, storage location, ttl, labels, backup name, namespaces); list shows
 * them; create --wait and restore follow the phases to the outcome and exit 0 / 1; a restore of a
 * namespace the backup does not hold is refused (exit 2) and creates nothing.
 */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chartsDataMissing, dataFor } from "../helpers/charts-data.js";
import { acmeConfigYaml } from "../helpers/acme-config.js";
import { runCto, Sandbox, type CtoResult } from "../helpers/cli.js";
import { startKwokCluster, type KwokCluster } from "../helpers/kwok.js";

interface VeleroJson {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

describe("cto backup on an API server with Velero's real CRDs", function () {
  this.timeout(900_000);
  let box: Sandbox;
  let cluster: KwokCluster | undefined;
  let ns = "";
  let namespaces: string[] = [];

  const cto = (args: string[]): Promise<CtoResult> =>
    runCto(args, { cwd: box.cwd, env: { ...box.env, CI: "true" }, timeoutMs: 300_000 });
  const ok = async (args: string[]): Promise<CtoResult> => {
    const r = await cto(args);
    assert.equal(r.code, 0, `cto ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const get = (kind: string, name: string): Promise<VeleroJson> =>
    cluster!.kubectl.json<VeleroJson>("get", kind, "-n", ns, name);
  /** Plays Velero: once the object exists, sets each status in turn, `holdMs` apart. */
  const playVelero = async (kind: string, name: string, statuses: Record<string, unknown>[], holdMs: number) => {
    for (let i = 0; i < 240; i++) {
      const r = await cluster!.kubectl.run("get", kind, "-n", ns, name, "-o", "name");
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    for (const status of statuses) {
      await cluster!.kubectl.ok("patch", kind, "-n", ns, name, "--type", "merge", "-p", JSON.stringify({ status }));
      await new Promise((res) => setTimeout(res, holdMs));
    }
  };

  before(async function () {
    box = new Sandbox("cto-e2e-backup-");
    // The plan first (no cluster needed): Velero's namespace and the pinned chart version.
    const config = (kubeconfig: string) =>
      acmeConfigYaml({
        provider: "existing",
        tail: [
          "features:",
          "  backup: true",
          "backup:",
          "  provider: s3-compatible",
          "  bucket: acme-backups",
          "  endpoint: https://s3.acme.example",
          "",
        ].join("\n"),
      })
        .replace("profile: minimal", "profile: standard")
        .replace("  provider: existing\n", `  provider: existing\n  kubeconfig: ${kubeconfig}\n`);
    const configFile = path.join(box.cwd, "cto.yaml");
    writeFileSync(configFile, config(path.join(box.root, "none")));
    const plan = JSON.parse((await ok(["config", "show", "--resolved", "--output", "json"])).stdout) as {
      platform: { namespace: string };
      namespaces: Record<string, string>;
      components: { name: string; namespace: string; chart?: { version: string } }[];
    };
    const velero = plan.components.find((c) => c.name === "backup");
    assert.ok(velero?.chart, "the plan has the backup component");
    const data = dataFor("velero", velero.chart.version);
    if (!data) {
      console.log(`      ${chartsDataMissing()} (velero ${velero.chart.version})`);
      this.skip();
    }
    ns = velero.namespace;
    namespaces = [...new Set([plan.platform.namespace, ...Object.values(plan.namespaces)])].sort();

    cluster = await startKwokCluster({ nodes: 1 });
    writeFileSync(configFile, config(cluster.kubeconfig));
    await cluster.kubectl.ok("apply", "--server-side", "-f", path.join(data, "crds.yaml"));
    await cluster.kubectl.ok(
      ...["wait", "--for=condition=Established", "--timeout=120s"],
      ...["crd/backups.velero.io", "crd/restores.velero.io"],
    );
    await cluster.kubectl.ok("create", "namespace", ns);
  });
  after(async () => {
    await cluster?.destroy();
    box?.remove();
  });

  it("the real schema is in force: a Backup with a mistyped field is refused", async () => {
    const bad = {
      apiVersion: "velero.io/v1",
      kind: "Backup",
      metadata: { name: "bad", namespace: ns },
      spec: { ttl: 5 },
    };
    const file = path.join(box.root, "bad-backup.json");
    writeFileSync(file, JSON.stringify(bad));
    const r = await cluster!.kubectl.run("create", "-f", file);
    assert.notEqual(r.code, 0, "the API server validates Backups");
    assert.match(r.stderr, /spec\.ttl/);
  });

  it("backup create: the API server accepts the Backup, which has the scheduled backup's scope", async () => {
    const r = await ok(["backup", "create", "--name", "manual-one"]);
    assert.match(r.stdout, new RegExp(`Created backup manual-one in ${ns} \\(namespaces ${namespaces.join(", ")}\\)`));
    const b = await get("backups.velero.io", "manual-one");
    assert.equal(b.kind, "Backup");
    assert.deepEqual(b.spec.includedNamespaces, namespaces);
    assert.equal(b.spec.storageLocation, "default");
    assert.match(String(b.spec.ttl), /^\d+h\d+m\d+s$|^\d+h$/, `ttl as Velero takes it: ${String(b.spec.ttl)}`);
    assert.equal(b.metadata.labels?.["cto.dev/backup"], "manual");
    assert.equal(b.metadata.labels?.["app.kubernetes.io/managed-by"], "cto");
  });

  it("backup list shows it, with no phase until Velero picks it up", async () => {
    const list = JSON.parse((await ok(["backup", "list", "--json"])).stdout) as {
      name: string;
      origin: string;
      phase: string | null;
      includedNamespaces: string[];
    }[];
    const one = list.find((b) => b.name === "manual-one");
    assert.ok(one, JSON.stringify(list));
    assert.equal(one.origin, "manual");
    assert.equal(one.phase, null);
    assert.deepEqual(one.includedNamespaces, namespaces);
  });

  it("backup create --wait follows Velero's phases to Completed (exit 0)", async () => {
    const velero = playVelero(
      "backups.velero.io",
      "manual-two",
      [
        { phase: "InProgress", progress: { itemsBackedUp: 3, totalItems: 10 } },
        {
          phase: "Completed",
          progress: { itemsBackedUp: 10, totalItems: 10 },
          completionTimestamp: new Date().toISOString(),
        },
      ],
      15_000,
    );
    const r = await cto(["backup", "create", "--name", "manual-two", "--wait", "--timeout", "300"]);
    await velero;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /backup manual-two: .*InProgress/);
    assert.match(r.stdout, /✓ Backup manual-two completed/);
  });

  it("restore of a namespace the backup does not hold: exit 2, no Restore created", async () => {
    const r = await cto(["backup", "restore", "manual-two", "--namespace", "not-in-it", "--yes"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /backup manual-two does not contain namespace not-in-it/);
    const restores = await cluster!.kubectl.json<{ items: unknown[] }>("get", "restores.velero.io", "-n", ns);
    assert.equal(restores.items.length, 0);
  });

  it("restore --namespace: the API server accepts the Restore; a Failed outcome exits 1 with Velero's reason", async () => {
    const restoreName = async (): Promise<string> => {
      for (let i = 0; i < 240; i++) {
        const list = await cluster!.kubectl.json<{ items: VeleroJson[] }>("get", "restores.velero.io", "-n", ns);
        if (list.items[0]) return list.items[0].metadata.name;
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error("no Restore appeared");
    };
    const velero = (async () => {
      const name = await restoreName();
      await playVelero(
        "restores.velero.io",
        name,
        [{ phase: "Failed", failureReason: "stand-in: backup storage location unavailable" }],
        0,
      );
      return name;
    })();
    const target = namespaces[0]!;
    const r = await cto(["backup", "restore", "manual-two", "--namespace", target, "--yes", "--timeout", "300"]);
    const name = await velero;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /restore .* failed: .*stand-in: backup storage location unavailable/);
    assert.match(r.stderr, /velero restore describe/);
    const restore = await get("restores.velero.io", name);
    assert.equal(restore.spec.backupName, "manual-two");
    assert.deepEqual(restore.spec.includedNamespaces, [target]);
    assert.equal(restore.metadata.labels?.["cto.dev/backup"], "manual");
  });
});
