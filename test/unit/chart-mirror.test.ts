/**
 * The stand-in chart builder (deterministic Helm repository from test/fixtures/charts) and the
 * chart mirror that serves it on 127.0.0.1.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import YAML from "yaml";
import { startChartMirror } from "../helpers/chart-mirror.js";
import { chartsDataDir, chartsDataMissing, dataFor } from "../helpers/charts-data.js";
import {
  buildChartRepo,
  defaultChartVersions,
  nextPatch,
  pinnedCharts,
  standInSources,
} from "../helpers/chart-repo.js";

interface IndexEntry {
  name: string;
  version: string;
  digest: string;
  urls: string[];
}

describe("stand-in chart repository", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "cto-chart-repo-"));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("has a stand-in for every chart profiles/versions.yaml pins", async () => {
    const sources = await standInSources();
    const pins = await pinnedCharts();
    assert.ok(pins.length >= 10, "versions.yaml pins the charts");
    for (const pin of pins) assert.ok(sources.has(pin.chart), `stand-in for ${pin.chart}`);
  });

  it("builds each pinned version and the next patch (for upgrade tests)", async () => {
    const versions = await defaultChartVersions();
    const argo = versions.filter((v) => v.chart === "argo-cd").map((v) => v.version);
    for (const pin of (await pinnedCharts()).filter((p) => p.chart === "argo-cd")) {
      assert.ok(argo.includes(pin.version));
      assert.ok(argo.includes(nextPatch(pin.version)));
    }
    assert.equal(nextPatch("v1.16.2"), "v1.16.3");
    assert.throws(() => nextPatch("latest"), /not a semantic version/);
  });

  it("packages deterministically and indexes every archive with its sha256 digest", async () => {
    const wanted = [
      { chart: "argo-cd", version: "7.8.0" },
      { chart: "argo-cd", version: "7.8.1" },
      { chart: "cert-manager", version: "1.16.2" },
    ];
    const first = await buildChartRepo(path.join(dir, "a"), wanted);
    const second = await buildChartRepo(path.join(dir, "b"), [...wanted].reverse());
    assert.deepEqual(
      first.map((b) => b.digest),
      second.map((b) => b.digest),
    );
    assert.equal(
      await readFile(path.join(dir, "a", "index.yaml"), "utf8"),
      await readFile(path.join(dir, "b", "index.yaml"), "utf8"),
    );

    const index = YAML.parse(await readFile(path.join(dir, "a", "index.yaml"), "utf8")) as {
      entries: Record<string, IndexEntry[]>;
    };
    assert.deepEqual(
      index.entries["argo-cd"]!.map((e) => e.version),
      ["7.8.0", "7.8.1"],
    );
    for (const e of Object.values(index.entries).flat()) {
      const file = path.join(dir, "a", e.urls[0]!);
      assert.equal(
        createHash("sha256")
          .update(await readFile(file))
          .digest("hex"),
        e.digest,
      );
    }
  });

  it("an archive holds the chart at the requested version with the shared helpers", async () => {
    const files: Record<string, string> = {};
    await tar.list({
      file: path.join(dir, "a", "argo-cd-7.8.1.tgz"),
      onReadEntry: (entry) => {
        let body = "";
        entry.on("data", (d: Buffer) => (body += d.toString()));
        entry.on("end", () => (files[entry.path] = body));
      },
    });
    const data = chartsDataDir() ? ["argo-cd/files/crds.yaml", "argo-cd/files/workloads.tsv"] : [];
    assert.deepEqual(Object.keys(files).sort(), [
      "argo-cd/Chart.yaml",
      ...data,
      "argo-cd/templates/_standin.tpl",
      "argo-cd/templates/crds.yaml",
      "argo-cd/templates/servicemonitors.yaml",
      "argo-cd/templates/workloads.yaml",
      "argo-cd/values.yaml",
    ]);
    const meta = YAML.parse(files["argo-cd/Chart.yaml"]!) as { name: string; version: string };
    assert.deepEqual([meta.name, meta.version], ["argo-cd", "7.8.1"]);
  });

  describe("with the official charts' data (../shared/charts-data)", () => {
    before(function () {
      if (!chartsDataDir()) {
        console.log(`      ${chartsDataMissing()}`);
        this.skip();
      }
    });

    /** Every file of a built archive by its path inside the archive. */
    async function archive(file: string): Promise<Record<string, string>> {
      const files: Record<string, string> = {};
      await tar.list({
        file,
        onReadEntry: (entry) => {
          const chunks: Buffer[] = [];
          entry.on("data", (d: Buffer) => chunks.push(d));
          entry.on("end", () => (files[entry.path] = Buffer.concat(chunks).toString("utf8")));
        },
      });
      return files;
    }

    it("a next-patch version stands for the pinned one; a version with no data has none", () => {
      assert.match(dataFor("argo-cd", "10.1.2")!, /argo-cd\/10\.1\.1$/);
      assert.match(dataFor("cert-manager", "1.21.1")!, /cert-manager\/v1\.21\.1$/);
      assert.equal(dataFor("argo-cd", "10.2.0"), undefined);
      assert.equal(dataFor("argo-cd", "10.1.0"), undefined);
    });

    it("each chart carries the official CRDs where the official chart keeps them, and its appVersion", async () => {
      const out = path.join(dir, "real");
      const wanted = [
        { chart: "argo-events", version: "2.4.22" },
        { chart: "argo-workflows", version: "1.0.18" },
        { chart: "kube-prometheus-stack", version: "88.5.3" },
        { chart: "velero", version: "12.1.0" },
        { chart: "redis-operator", version: "0.24.0" },
      ];
      await buildChartRepo(out, wanted);
      const data = chartsDataDir()!;
      const crds = async (chart: string, version: string) =>
        readFile(path.join(data, chart, version, "crds.yaml"), "utf8");

      const events = await archive(path.join(out, "argo-events-2.4.22.tgz"));
      assert.equal(events["argo-events/files/crds.yaml"], await crds("argo-events", "2.4.22"));
      assert.equal((YAML.parse(events["argo-events/Chart.yaml"]!) as { appVersion: string }).appVersion, "v1.9.10");
      const workflows = await archive(path.join(out, "argo-workflows-1.0.18.tgz"));
      assert.equal(workflows["argo-workflows/files/crds.yaml"], await crds("argo-workflows", "1.0.18"));

      const kps = await archive(path.join(out, "kube-prometheus-stack-88.5.3.tgz"));
      assert.equal(
        kps["kube-prometheus-stack/charts/crds/crds/crds.yaml"],
        await crds("kube-prometheus-stack", "88.5.3"),
      );
      assert.ok(!Object.keys(kps).some((f) => f.startsWith("kube-prometheus-stack/crds/")), "no stand-in crds/");
      const meta = YAML.parse(kps["kube-prometheus-stack/Chart.yaml"]!) as { dependencies: unknown };
      assert.deepEqual(meta.dependencies, [{ name: "crds", version: "0.0.0", condition: "crds.enabled" }]);

      const velero = await archive(path.join(out, "velero-12.1.0.tgz"));
      assert.equal(velero["velero/crds/crds.yaml"], await crds("velero", "12.1.0"));
      assert.deepEqual(
        Object.keys(velero).filter((f) => f.startsWith("velero/crds/")),
        ["velero/crds/crds.yaml"],
      );
      const redis = await archive(path.join(out, "redis-operator-0.24.0.tgz"));
      assert.equal(redis["redis-operator/crds/crds.yaml"], await crds("redis-operator", "0.24.0"));
      assert.equal(redis["redis-operator/templates/crds.yaml"], undefined, "no template CRDs besides crds/");
    });
  });

  it("refuses a chart without a stand-in", async () => {
    await assert.rejects(
      buildChartRepo(path.join(dir, "c"), [{ chart: "nginx", version: "1.0.0" }]),
      /no stand-in chart for nginx/,
    );
  });

  it("the mirror serves index.yaml and archives on 127.0.0.1 and 404s anything else", async () => {
    const mirror = await startChartMirror(path.join(dir, "a"));
    try {
      assert.match(mirror.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const index = await fetch(`${mirror.url}/index.yaml`);
      assert.equal(index.status, 200);
      assert.match(await index.text(), /argo-cd-7\.8\.0\.tgz/);
      const tgz = await fetch(`${mirror.url}/argo-cd-7.8.0.tgz`);
      assert.equal(tgz.status, 200);
      assert.equal(tgz.headers.get("content-type"), "application/gzip");
      assert.equal(Buffer.from(await tgz.arrayBuffer()).length > 100, true);
      assert.equal((await fetch(`${mirror.url}/argo-cd-9.9.9.tgz`)).status, 404);
      assert.equal((await fetch(`${mirror.url}/..%2Fb%2Findex.yaml`)).status, 404);
      assert.deepEqual(
        mirror.requests.map((r) => r.status),
        [200, 200, 404, 404],
      );
    } finally {
      await mirror.close();
    }
  });
});
