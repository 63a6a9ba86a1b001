/**
 * Issue 16: `cto upgrade` from platform release 0.2.0 to 0.3.0 (the newest charts) on a simulated
 * cluster, through the built `cto` (real Pulumi engine, real kube-apiserver via kwok, stand-in
 * charts carrying each version's official CRDs from ../shared/charts-data when it exists).
 *
 * minimal profile on 0.2.0 (its three charts all move: argo-cd 7.8.2 → 10.1.1, argo-workflows
 * 0.45.0 → 1.0.18, argo-events 2.4.0 → 2.4.22) → `cto upgrade` in a terminal shows the version changes and the
 * preview, answered "no": nothing changes → `cto upgrade --yes` applies in one engine pass (issue 20:
 * one `pulumi up`, no `pulumi preview`) → every release runs the
 * 0.3.0 chart, the API server holds 0.3.0's CRDs, `cto status` healthy → a plain `cto up` changes
 * nothing → `cto rollback --to … --yes` the 0.2.0 update (one engine pass too) runs 0.2.0's charts
 * again and records `release: "0.2.0"` in cto.yaml, so a plain `cto up` changes nothing (issue 18).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import { CTO_BIN } from "../helpers/cli.js";
import { chartsDataDir, chartsDataMissing } from "../helpers/charts-data.js";
import { CtoProject, crdsNotOfficial, deployedCharts, helmReleases } from "../helpers/cto-project.js";
import type { Kubectl } from "../helpers/kwok.js";
import { TmuxSession, tmuxAvailable } from "../helpers/tmux.js";

const CLUSTER = "acme-upg";
const FROM = "0.2.0";
const TO = "0.3.0";

/** The chart (`<chart>-<version>`) a release pins for a component, by component (= Helm release) name. */
function pinned(catalog: Catalog, release: string, component: string): string | undefined {
  const pin = catalog.releases[release]?.charts[component];
  return pin ? `${pin.chart}-${pin.version}` : undefined;
}

describe(`cto upgrade from release ${FROM} to ${TO} (minimal profile, simulated cluster)`, function () {
  this.timeout(2_400_000);
  let p: CtoProject;
  let k: Kubectl;
  let catalog: Catalog;
  let installed: Map<string, { chart: string; status: string }>;

  before(async () => {
    catalog = await loadCatalog();
    assert.ok(catalog.releases[FROM] && catalog.releases[TO], `releases ${FROM} and ${TO} in profiles/versions.yaml`);
    p = await CtoProject.create();
    p.countPulumiCommands(); // the engine passes of each cto command (issue 20)
    await p.init("minimal", CLUSTER);
    await p.editConfig((doc) => doc.set("release", FROM));
  });
  after(() => p?.teardown());
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it(`cto up installs release ${FROM}: every Helm release at its ${FROM} pin`, async () => {
    await p.ok("up", "--yes");
    k = p.kubectl(CLUSTER);
    installed = await deployedCharts(k);
    assert.ok(installed.size >= 3, `Helm releases: ${[...installed.keys()].join(", ")}`);
    for (const [release, r] of installed) {
      assert.equal(r.status, "deployed", release);
      assert.equal(r.chart, pinned(catalog, FROM, release), `${release} runs its ${FROM} pin`);
    }
  });

  it(`cto upgrade in a terminal shows the version changes and the preview; "no" changes nothing`, async function () {
    if (!tmuxAvailable()) this.skip(); // npm test installs tmux; say so rather than pass silently
    const before = await helmReleases(k);
    const commands = p.pulumiCommands().length;
    const env: NodeJS.ProcessEnv = { ...p.env, TERM: "xterm-256color" };
    delete env.CI;
    const term = TmuxSession.start({
      command: [process.execPath, CTO_BIN, "upgrade", "--to", TO],
      cwd: p.sandbox.cwd,
      env,
      scratch: mkdtempSync(path.join(p.sandbox.root, "tty-")),
      width: 200,
      height: 150,
    });
    try {
      const screen = await term.waitFor(`Upgrade dev to release ${TO}`, 600_000);
      assert.match(screen, new RegExp(`release ${FROM.replace(/\./g, "\\.")} → ${TO.replace(/\./g, "\\.")}`));
      // One line per chart whose pin moves, old → new, then the preview of the same changes.
      for (const release of installed.keys()) {
        const from = catalog.releases[FROM]!.charts[release]!.version;
        const to = catalog.releases[TO]!.charts[release]!.version;
        if (from !== to)
          assert.ok(screen.includes(`${release} ${from} → ${to}`), `${release} ${from} → ${to}\n${screen}`);
      }
      assert.match(screen, /Preview of dev: /);
      assert.match(screen, /~ update/, screen);
      term.press("Enter"); // the default answer is no
      await term.waitFor("Operation cancelled.", 30_000);
      assert.equal(await term.exitCode(30_000), 0);
    } finally {
      term.kill();
    }
    const after = await helmReleases(k);
    for (const [name, r] of before) assert.equal(after.get(name)?.revision, r.revision, `${name}: no new revision`);
    // Without --yes the preview comes first (one engine pass), and "no" starts no update.
    const ran = p.pulumiCommands().slice(commands);
    assert.deepEqual(
      ["preview", "up"].map((c) => ran.filter((x) => x === c).length),
      [1, 0],
      `one pulumi preview, no update: ${ran.join(", ")}`,
    );
  });

  it(`cto upgrade --to ${TO} --yes applies: every release on its ${TO} chart, the API server holds its CRDs`, async function () {
    const r = await p.okCountingEngine("upgrade", "--to", TO, "--yes", "--json");
    // One engine pass (issue 20): the update, with no preview before it.
    assert.deepEqual([r.previews, r.updates], [0, 1], `one pulumi up, no preview: ${r.pulumi.join(", ")}`);
    const events = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { kind: string; from?: string; to?: string; changes?: unknown });
    const versions = events.find((e) => e.kind === "versions");
    assert.deepEqual([versions?.from, versions?.to], [FROM, TO]);
    // The version changes (from the plans) come first, then the update's own progress and its result.
    const kinds = events.map((e) => e.kind);
    assert.ok(!kinds.includes("preview"), kinds.join(","));
    assert.ok(kinds.indexOf("versions") < kinds.indexOf("start"), kinds.join(","));
    assert.ok(kinds.includes("start") && kinds.indexOf("start") < kinds.indexOf("result"), kinds.join(","));
    const upgraded = await deployedCharts(k);
    assert.deepEqual([...upgraded.keys()].sort(), [...installed.keys()].sort(), "the same Helm releases");
    for (const [release, rel] of upgraded) {
      assert.equal(rel.status, "deployed", release);
      assert.equal(rel.chart, pinned(catalog, TO, release), `${release} runs its ${TO} pin`);
    }
    if (!chartsDataDir()) {
      console.log(`      CRD check: ${chartsDataMissing()}`);
      return;
    }
    const stale: string[] = [];
    for (const release of upgraded.keys()) {
      const pin = catalog.releases[TO]!.charts[release]!;
      stale.push(...((await crdsNotOfficial(k, pin.chart, pin.version)) ?? []));
    }
    assert.deepEqual(stale, [], `CRDs not as the ${TO} charts publish them`);
  });

  it("cto status reports the upgraded platform healthy", async () => {
    const r = await p.ok("status");
    for (const release of installed.keys()) assert.match(r.stdout, new RegExp(release));
  });

  it("a plain cto up afterwards changes nothing", async () => {
    // `cto upgrade --to` recorded the release in cto.yaml (for this environment), so the plain
    // `cto up` keeps it instead of moving dev back to the file's earlier pin.
    const doc = YAML.parseDocument(await readFile(p.configFile, "utf8"));
    assert.equal(
      doc.getIn(["environments", "dev", "release"]) ?? doc.get("release"),
      TO,
      "cto.yaml names the new release",
    );
    const before = await helmReleases(k);
    const r = await p.ok("up", "--yes");
    assert.match(r.stdout + r.stderr, /no changes/i);
    const after = await helmReleases(k);
    for (const [name, rel] of before) assert.equal(after.get(name)?.revision, rel.revision, `${name}: no new revision`);
  });

  it(`cto rollback --to the ${FROM} update: back on ${FROM}, recorded in cto.yaml, and a plain cto up keeps it`, async () => {
    const history = JSON.parse((await p.ok("history", "--json")).stdout) as {
      updates: { n: number; release: string; status: string; operation: string }[];
    };
    const target = history.updates.find((u) => u.release === FROM && u.status === "succeeded");
    assert.ok(target, `an update on ${FROM} in ${JSON.stringify(history.updates)}`);
    const r = await p.okCountingEngine("rollback", "--to", String(target.n), "--yes");
    assert.deepEqual([r.previews, r.updates], [0, 1], `one pulumi up, no preview: ${r.pulumi.join(", ")}`);
    assert.match(r.stdout, new RegExp(`release ${FROM.replace(/\./g, "\\.")}\\)`));
    // The edit is shown before the update starts (steps numbered by its own events), written after it.
    assert.ok(r.stdout.indexOf("written once the rollback succeeds") < r.stdout.search(/^\[1\/\?\] /m), r.stdout);
    const shown = /cto\.yaml, written once the rollback succeeds \((\S+), was 0\.3\.0\):/.exec(r.stdout);
    assert.ok(shown, r.stdout);
    const where = shown[1] as string; // environments.dev.release: init's cto.yaml declares environments
    assert.match(r.stdout, new RegExp(`Recorded release 0\\.2\\.0 in \\S+cto\\.yaml \\(${where}\\)`));
    const text = await readFile(p.configFile, "utf8");
    assert.equal(YAML.parseDocument(text).getIn(where.split(".")), FROM);
    assert.match(text, /release: "0\.2\.0" +# set by cto rollback$/m);
    const back = await deployedCharts(k);
    for (const [release, rel] of back) assert.equal(rel.chart, pinned(catalog, FROM, release), `${release} on ${FROM}`);
    const before = await helmReleases(k);
    const up = await p.ok("up", "--yes");
    assert.match(up.stdout + up.stderr, /no changes/i);
    const after = await helmReleases(k);
    for (const [name, rel] of before)
      assert.equal(after.get(name)?.revision, rel.revision, `${name}: stays on ${FROM}`);
  });
});
