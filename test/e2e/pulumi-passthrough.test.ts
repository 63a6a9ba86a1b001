/**
 * `cto pulumi` (issue 18 item 7) through the built binary on a simulated cluster (real engine,
 * kwok API server, stand-in chart mirror): on an applied `dev`, after one edit of cto.yaml (a chart
 * bump), `cto pulumi --env dev -- preview --diff` — the plain Pulumi CLI running cto's program
 * from the workspace's Pulumi.yaml — previews the same resources changing, the same way, as
 * `cto preview`. `cto pulumi` runs first, so it is what writes the edited plan into the stack
 * config. Neither changes anything, and the secret values stay masked.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { nextPatch } from "../helpers/chart-repo.js";
import { CtoProject, helmReleases } from "../helpers/cto-project.js";

const CLUSTER = "acme-pp";

interface CtoPreview {
  steps: { urn: string; op: string; component: string }[];
}
interface PulumiPreview {
  steps?: { urn: string; op: string }[];
  changeSummary?: Record<string, number>;
}

/** The engine's default providers, which cto's preview leaves out. */
const defaultProvider = (urn: string): boolean => /::pulumi:providers:[\w-]+::default/.test(urn);

describe("cto pulumi: the plain Pulumi CLI on cto's stack", function () {
  this.timeout(1_800_000);
  let p: CtoProject;
  let bumped = "";

  before(async () => {
    p = await CtoProject.create();
    await p.init("minimal", CLUSTER);
  });
  after(() => p?.teardown());
  afterEach(function () {
    p?.reportIfFailed(this);
  });

  it("on the applied stack with no edit, plain pulumi preview sees no change", async () => {
    await p.ok("up", "--yes");
    const r = await p.ok("pulumi", "--env", "dev", "--", "preview", "--json");
    const report = JSON.parse(r.stdout) as PulumiPreview;
    const changed = (report.steps ?? []).filter((s) => s.op !== "same" && !defaultProvider(s.urn));
    assert.deepEqual(changed, [], "nothing to change");
  });

  it("after one cto.yaml edit, preview --diff through cto pulumi shows the same changes as cto preview", async () => {
    const plan = JSON.parse((await p.ok("config", "show", "--resolved", "--output", "json")).stdout) as {
      components: { name: string; chart?: { version: string } }[];
    };
    const current = plan.components.find((c) => c.name === "argo-cd")?.chart?.version ?? "";
    bumped = nextPatch(current);
    await p.editConfig((doc) => doc.setIn(["charts", "argo-cd", "version"], bumped));
    const releasesBefore = await helmReleases(p.kubectl(CLUSTER));

    // The plain CLI first: cto pulumi writes the edited plan into the stack config itself.
    const diff = await p.ok("pulumi", "--env", "dev", "--", "preview", "--diff");
    const json = JSON.parse((await p.ok("pulumi", "--env", "dev", "--", "preview", "--json")).stdout) as PulumiPreview;
    const ctoReport = JSON.parse((await p.ok("preview", "--json")).stdout) as CtoPreview;

    const ctoChanges = ctoReport.steps
      .filter((s) => s.op !== "same")
      .map((s) => `${s.op} ${s.urn}`)
      .sort();
    const pulumiChanges = (json.steps ?? [])
      .filter((s) => s.op !== "same" && s.op !== "read" && !defaultProvider(s.urn))
      .map((s) => `${s.op} ${s.urn}`)
      .sort();
    assert.ok(ctoChanges.length > 0, "the edit changes something");
    assert.ok(
      ctoChanges.some((c) => /^update .*Release::[\w-]*argo-cd$/.test(c)),
      `argo-cd's release is updated: ${ctoChanges.join("\n")}`,
    );
    assert.deepEqual(pulumiChanges, ctoChanges, "the same resources change, the same way");

    // The --diff text: the same count, every resource cto lists, the version change itself.
    const updates = ctoChanges.filter((c) => c.startsWith("update ")).length;
    assert.match(diff.stdout, new RegExp(`~ ${updates} to update`), diff.stdout);
    for (const c of ctoChanges) assert.ok(diff.stdout.includes(`[urn=${c.split(" ")[1]}]`), `${c} in the diff`);
    assert.ok(diff.stdout.includes(`~ version: "${current}" => "${bumped}"`), `${current} → ${bumped} in the diff`);
    assert.match(diff.stderr, /cto: pulumi preview --diff {2}\(stack acme-pp\/dev, in .*workspaces/);

    // Previews change nothing: same Helm revisions.
    const after = await helmReleases(p.kubectl(CLUSTER));
    for (const [name, rel] of releasesBefore) assert.equal(after.get(name)?.revision, rel.revision, name);
  });

  it("the secret config stays encrypted in the workspace and masked in pulumi's output", async () => {
    const r = await p.ok("pulumi", "--env", "dev", "--", "config", "--json");
    const config = JSON.parse(r.stdout) as Record<string, { secret: boolean; value?: string }>;
    assert.equal(config["cto:secrets"]?.secret, true);
    const shown = config["cto:secrets"]?.value;
    assert.ok(shown === undefined || shown === "[secret]", `secret value not shown without --show-secrets: ${shown}`);
    const workspace = /in (\S+workspaces\S+)\)/.exec(r.stderr)?.[1] ?? "";
    const stackFile = parse(readFileSync(path.join(workspace, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    assert.ok(typeof stackFile.config["cto:secrets"] === "object", "stored as ciphertext ({secure: …})");
  });

  it("a failing pulumi command fails cto pulumi, with pulumi's own message", async () => {
    const r = await p.cto(["pulumi", "--env", "dev", "--", "stack", "output", "no-such-output"]);
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /no-such-output/);
  });
});
