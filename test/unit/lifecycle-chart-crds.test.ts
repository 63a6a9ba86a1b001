import { strict as assert } from "node:assert";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import {
  createdByInstall,
  crdNamesInManifest,
  crdNamesInRecord,
  CRD_INSTALL_WINDOW_SECONDS,
  decodeHelmReleaseSecret,
  latestReleaseSecrets,
  releaseCrds,
  type HelmReleaseRecord,
} from "../../stacks/chart-crds.js";
import {
  crdLedgerFile,
  mergeReleaseCrds,
  readCrdLedger,
  removeCrdLedger,
  writeCrdLedger,
} from "../../stacks/crd-ledger.js";

const crdYaml = (name: string) =>
  `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}\nspec: {}\n`;
const file = (name: string, text: string) => ({ name, data: Buffer.from(text).toString("base64") });

/** A release record as Helm stores it in its Secret, as kubectl shows the Secret's data. */
function secretData(record: HelmReleaseRecord, gzip = true): string {
  const json = Buffer.from(JSON.stringify(record));
  const helm = (gzip ? gzipSync(json) : json).toString("base64");
  return Buffer.from(helm).toString("base64");
}

const record = (
  version: number,
  firstDeployed: string,
  files: { name: string; data: string }[],
): HelmReleaseRecord => ({
  name: "monitoring",
  namespace: "monitoring",
  version,
  info: { first_deployed: firstDeployed, status: "deployed" },
  chart: { metadata: { name: "kube-prometheus-stack", version: "1.0.0" }, files },
});

describe("stacks/chart-crds: the crds/ CRDs of a Helm release record", function () {
  it("decodes a release Secret's data, gzipped (as Helm writes it) or not", function () {
    const r = record(3, "2026-11-25T18:00:00.5Z", [file("crds/a.yaml", crdYaml("as.example.com"))]);
    assert.deepEqual(decodeHelmReleaseSecret(secretData(r)), r);
    assert.deepEqual(decodeHelmReleaseSecret(secretData(r, false)), r);
    assert.throws(() => decodeHelmReleaseSecret(Buffer.from(Buffer.from("[1]").toString("base64")).toString("base64")));
    assert.throws(() => decodeHelmReleaseSecret("bm90IGpzb24="));
  });

  it("finds the Secret of each release's latest record in a listing, other releases and types skipped", function () {
    const line = (...f: string[]) => f.join("\t");
    const listing = [
      line("monitoring", "1", "sh.helm.release.v1.monitoring.v1", "helm.sh/release.v1"),
      line("monitoring", "10", "sh.helm.release.v1.monitoring.v10", "helm.sh/release.v1"),
      line("monitoring", "2", "sh.helm.release.v1.monitoring.v2", "helm.sh/release.v1"),
      line("logging", "3", "sh.helm.release.v1.logging.v3", "helm.sh/release.v1"),
      line("someone-elses", "1", "sh.helm.release.v1.someone-elses.v1", "helm.sh/release.v1"),
      line("logging", "4", "not-a-record", "Opaque"),
      "",
    ].join("\n");
    assert.deepEqual(
      latestReleaseSecrets(listing, new Set(["monitoring", "logging", "backup"])),
      new Map([
        ["monitoring", "sh.helm.release.v1.monitoring.v10"],
        ["logging", "sh.helm.release.v1.logging.v3"],
      ]),
    );
    assert.deepEqual(latestReleaseSecrets("", new Set(["monitoring"])), new Map());
  });

  it("takes the CRDs of every .yaml/.yml/.json file under crds/, multi-document and List, nothing else", function () {
    const r = record(1, "2026-11-25T18:00:00Z", [
      file(
        "crds/multi.yaml",
        `${crdYaml("bs.example.com")}---\n${crdYaml("as.example.com")}---\nkind: ConfigMap\nmetadata: {name: x}\n`,
      ),
      file(
        "crds/list.json",
        JSON.stringify({
          kind: "List",
          items: [{ kind: "CustomResourceDefinition", metadata: { name: "cs.example.com" } }],
        }),
      ),
      file("crds/upper.YML", crdYaml("ds.example.com")),
      file("crds/README.md", crdYaml("readme.example.com")),
      file("files/crds/extra.yaml", crdYaml("extra.example.com")),
      file("crds/broken.yaml", "kind: [unclosed\n"),
    ]);
    assert.deepEqual(crdNamesInRecord(r), ["as.example.com", "bs.example.com", "cs.example.com", "ds.example.com"]);
    assert.deepEqual(crdNamesInRecord({ chart: { files: null } }), []);
    assert.deepEqual(crdNamesInRecord({}), []);
    assert.deepEqual(crdNamesInManifest("# only a comment\n"), []);
  });

  it("joins a release's revisions: every CRD any kept chart shipped, the first-deployed time", function () {
    const v1 = record(1, "2026-11-25T18:00:00.25Z", [file("crds/a.yaml", crdYaml("old.example.com"))]);
    const v2 = record(2, "2026-11-25T18:00:00.25Z", [file("crds/a.yaml", crdYaml("new.example.com"))]);
    assert.deepEqual(releaseCrds("monitoring/monitoring", [v2, v1]), {
      release: "monitoring/monitoring",
      firstDeployed: "2026-11-25T18:00:00.25Z",
      crds: ["new.example.com", "old.example.com"],
    });
    assert.equal(releaseCrds("monitoring/monitoring", []), undefined);
    assert.equal(releaseCrds("m/m", [{ ...v1, info: {} }]), undefined, "no first-deployed time: nothing can be told");
  });

  it("a CRD is the release's when created in the window before its first deployment, or after", function () {
    const deployed = "2026-11-25T18:10:00.700000000Z";
    // Helm creates the CRDs first, then records the release; Kubernetes keeps whole seconds.
    assert.equal(createdByInstall("2026-11-25T18:10:00Z", deployed), true);
    assert.equal(createdByInstall("2026-11-25T18:09:58Z", deployed), true);
    const edge = new Date(Date.parse("2026-11-25T18:10:00Z") - CRD_INSTALL_WINDOW_SECONDS * 1000).toISOString();
    assert.equal(createdByInstall(edge, deployed), true);
    const before = new Date(Date.parse(edge) - 1000).toISOString();
    assert.equal(createdByInstall(before, deployed), false, "older than the install: someone else's");
    assert.equal(createdByInstall("2026-11-25T19:00:00Z", deployed), true);
    assert.equal(createdByInstall("", deployed), false);
    assert.equal(createdByInstall("2026-11-25T18:10:00Z", "soon"), false);
  });
});

describe("stacks/crd-ledger: the crds/ CRDs a destroy still has to delete", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), "cto-crd-ledger-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("merges entries of one release: names united, the earlier first deployment kept", function () {
    const merged = mergeReleaseCrds(
      [{ release: "m/m", firstDeployed: "2026-11-25T18:00:00Z", crds: ["b.x", "a.x"] }],
      [
        { release: "m/m", firstDeployed: "2026-11-25T19:00:00Z", crds: ["c.x", "a.x"] },
        { release: "b/backup", firstDeployed: "2026-11-25T19:00:00Z", crds: ["v.x"] },
      ],
    );
    assert.deepEqual(merged, [
      { release: "b/backup", firstDeployed: "2026-11-25T19:00:00Z", crds: ["v.x"] },
      { release: "m/m", firstDeployed: "2026-11-25T18:00:00Z", crds: ["a.x", "b.x", "c.x"] },
    ]);
    assert.deepEqual(mergeReleaseCrds([], []), []);
  });

  it("writes (0600), reads back and removes the stack's file under cto's home; no file reads as empty", async function () {
    const file = crdLedgerFile(dir, "acme-platform", "dev");
    assert.equal(file, path.join(dir, "run", "crds", "acme-platform", "dev.json"));
    assert.deepEqual(await readCrdLedger(file), []);
    const entries = [{ release: "m/m", firstDeployed: "2026-11-25T18:00:00Z", crds: ["a.x"] }];
    await writeCrdLedger(file, entries);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readCrdLedger(file), entries);
    await writeCrdLedger(file, []);
    assert.deepEqual(await readCrdLedger(file), []);
    await removeCrdLedger(file);
    await removeCrdLedger(file);
    await assert.rejects(readFile(file), { code: "ENOENT" });
  });

  it("refuses a file that is not a list of CRDs, naming it", async function () {
    const file = path.join(dir, "dev.json");
    await writeFile(file, JSON.stringify({ releases: [{ release: "m/m", crds: "a.x" }] }));
    await assert.rejects(readCrdLedger(file), (e: Error) => e.message.includes(file));
    await writeFile(file, "{");
    await assert.rejects(readCrdLedger(file), SyntaxError);
  });
});
