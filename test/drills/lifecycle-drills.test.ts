/**
 * Drills on the real engine and a real API server (kwok), through the built `cto` binary:
 *
 * - interrupted-runs: `cto up` SIGKILLed (with its engine: the whole process group, as a crash
 *   does) at points chosen from its own JSON events — after the first resource, mid Helm release,
 *   just before the end — then `cto up` again converges (clearing the dead holder's lock with
 *   `cto cancel --yes` when it names one), nothing orphaned, nothing pending. Same for destroy.
 *   SIGINT (Ctrl-C, to the foreground process group) leaves state a plain `cto up` recovers from.
 * - concurrent-runs: two `cto up` on one stack: one proceeds, the other is refused naming the
 *   lock holder; dev and staging at once both succeed.
 * - idempotency: after every successful up, another up reports zero changes.
 * - teardown: on a cluster cto did not create (provider `existing`), after `cto destroy` nothing
 *   labelled as ours and none of the charts' cluster-scoped objects (CRDs, cluster roles,
 *   webhooks) remain.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import { CRD_INSTALL_WINDOW_SECONDS, decodeHelmReleaseSecret } from "../../stacks/chart-crds.js";
import { repoRoot } from "../helpers/chart-repo.js";
import { CTO_BIN, runCto, type CtoResult } from "../helpers/cli.js";
import { CtoProject, deployedCharts, helmReleases } from "../helpers/cto-project.js";
import {
  eventually,
  startKwokCluster,
  type Kubectl,
  type KubeList,
  type KubeObject,
  type KwokCluster,
} from "../helpers/kwok.js";
import { DrillMetrics } from "./measure.js";

/** Every object of the platform carries this label (charts' objects too, where the chart takes extra labels). */
const OURS = "cto.dev/platform";

interface EngineEvent {
  kind: string;
  index?: number;
  total?: number;
  type?: string;
  op?: string;
  changes?: Record<string, number>;
  message?: string;
  urn?: string;
}

/** Zero changes: every op count other than `same` is 0. */
function changed(changes: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(changes ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}

function resultOf(r: CtoResult): EngineEvent | undefined {
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as EngineEvent);
  return lines.find((e) => e.kind === "result");
}

/**
 * Starts `cto ...args --json` in its own process group and sends `signal` to the group when
 * `when(event)` first holds. Resolves with the exit and what was seen.
 */
function interruptAt(
  p: CtoProject,
  args: string[],
  when: (e: EngineEvent, seen: EngineEvent[]) => boolean,
  signal: NodeJS.Signals,
  delayMs = 0,
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  fired: boolean;
  /** Seconds from the signal to the process's exit (undefined if never signalled). */
  exitSeconds?: number;
  seen: EngineEvent[];
  stderr: string;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTO_BIN, ...args], {
      cwd: p.sandbox.cwd,
      env: p.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const seen: EngineEvent[] = [];
    let buffer = "";
    let stderr = "";
    let fired = false;
    let signalledAt: number | undefined;
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const e = JSON.parse(line) as EngineEvent;
        seen.push(e);
        if (!fired && when(e, seen)) {
          fired = true;
          setTimeout(() => {
            try {
              signalledAt = Date.now();
              process.kill(-(child.pid as number), signal);
            } catch {
              // already gone
            }
          }, delayMs);
        }
      }
    });
    const timer = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), 900_000);
    child.on("error", reject);
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      const exitSeconds = signalledAt === undefined ? undefined : (Date.now() - signalledAt) / 1000;
      resolve({ code, signal: sig, fired, exitSeconds, seen, stderr });
    });
  });
}

/** The Pulumi state file of a stack in the file backend under CTO_HOME/state. */
function stackState(
  p: CtoProject,
  stack: string,
): {
  resources: { type: string; outputs?: Record<string, unknown> }[];
  pending: unknown[];
} {
  const root = path.join(p.home, "state", ".pulumi", "stacks");
  for (const project of existsSync(root) ? readdirSync(root) : []) {
    const file = path.join(root, project, `${stack}.json`);
    if (!existsSync(file)) continue;
    const state = JSON.parse(readFileSync(file, "utf8")) as {
      checkpoint?: {
        latest?: { resources?: { type: string; outputs?: Record<string, unknown> }[]; pending_operations?: unknown[] };
      };
    };
    return {
      resources: state.checkpoint?.latest?.resources ?? [],
      pending: state.checkpoint?.latest?.pending_operations ?? [],
    };
  }
  throw new Error(`no state file for stack ${stack} under ${root}`);
}

interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

interface OurObject {
  ref: string;
  uid: string;
  namespace?: string;
  /** ownerReferences: objects a controller made (Pods of a ReplicaSet of a Deployment) name their owner. */
  owners: OwnerRef[];
  release?: string;
}

type Meta = { uid?: string; namespace?: string; ownerReferences?: OwnerRef[] };

function describeObject(o: KubeObject): OurObject {
  const meta = o.metadata as KubeObject["metadata"] & Meta;
  const annotations = o.metadata.annotations ?? {};
  return {
    ref: `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`,
    uid: meta.uid ?? "",
    namespace: o.metadata.namespace,
    owners: meta.ownerReferences ?? [],
    release: annotations["meta.helm.sh/release-name"]
      ? `${annotations["meta.helm.sh/release-namespace"] ?? ""}/${annotations["meta.helm.sh/release-name"]}`
      : undefined,
  };
}

/** Every object labelled as ours, of every listable kind, namespaced and cluster-scoped. */
async function ourObjects(k: Kubectl, selector = OURS): Promise<OurObject[]> {
  const kinds = (await k.ok("api-resources", "--verbs=list", "-o", "name"))
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("events") && s !== "componentstatuses");
  const list = await k.json<KubeList>("get", kinds.join(","), "-A", "-l", selector);
  return list.items.map(describeObject);
}

/**
 * Objects of ours in the cluster that neither the state nor a Helm release in the state accounts
 * for. An object a controller made (it names an owner) is accounted for by its owner, looked up
 * in the cluster whether or not it carries our label: the garbage collector removes it with its
 * owner; an Endpoints object is accounted for by its same-named Service. One whose owner is gone is left to the garbage collector for up to a minute, then counts.
 */
async function orphans(p: CtoProject, k: Kubectl, stack: string): Promise<string[]> {
  const state = stackState(p, stack);
  const direct = new Set<string>();
  const releases = new Set<string>();
  for (const r of state.resources) {
    const meta = r.outputs?.metadata as { name?: string; namespace?: string } | undefined;
    const kind = r.type.split(":").pop()?.split("/").pop() ?? "";
    if (r.type.includes("helm.sh/v3:Release")) {
      const status = r.outputs?.status as { name?: string; namespace?: string } | undefined;
      releases.add(`${status?.namespace ?? r.outputs?.namespace ?? ""}/${status?.name ?? r.outputs?.name ?? ""}`);
    } else if (meta?.name) direct.add(`${kind}/${meta.namespace ?? ""}/${meta.name}`);
  }
  const owner = async (o: OurObject, ref: OwnerRef): Promise<OurObject | undefined> => {
    const group = ref.apiVersion.includes("/") ? `.${ref.apiVersion.split("/")[0]}` : "";
    const r = await k.run("get", `${ref.kind.toLowerCase()}${group}`, ref.name, "-n", o.namespace ?? "", "-o", "json");
    if (r.code !== 0) return undefined;
    const found = describeObject(JSON.parse(r.stdout) as KubeObject);
    return found.uid === ref.uid ? found : undefined;
  };
  // The endpoints controller makes an Endpoints object for each Service, copies the Service's
  // labels (ours among them) and names no owner; it is the Service's, and goes when the Service goes.
  const serviceOf = async (o: OurObject): Promise<OurObject | undefined> => {
    const name = o.ref.split("/").pop() ?? "";
    const r = await k.run("get", "service", name, "-n", o.namespace ?? "", "-o", "json");
    return r.code === 0 ? describeObject(JSON.parse(r.stdout) as KubeObject) : undefined;
  };
  const accounted = async (o: OurObject, depth = 0): Promise<boolean> => {
    if (direct.has(o.ref) || (o.release !== undefined && releases.has(o.release))) return true;
    if (o.ref.startsWith("Endpoints/") && o.owners.length === 0) {
      const service = await serviceOf(o);
      return service !== undefined && (await accounted(service, depth + 1));
    }
    if (depth >= 5 || o.owners.length === 0) return false;
    for (const ref of o.owners) {
      const parent = await owner(o, ref);
      if (!parent || !(await accounted(parent, depth + 1))) return false;
    }
    return true;
  };
  const unaccounted = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const o of await ourObjects(k)) if (!(await accounted(o))) out.push(o.ref);
    return out;
  };
  return eventually(unaccounted, (left) => left.length === 0, 60_000, 5_000);
}

/** `cto up --yes --json` once more: must report zero changes. */
async function assertNoChanges(p: CtoProject, env = "dev"): Promise<void> {
  const r = await p.ok("up", "--yes", "--json", "--env", env);
  const result = resultOf(r);
  assert.ok(result, `a result event from cto up --json\n${r.stdout.slice(-2000)}`);
  assert.deepEqual(changed(result.changes), {}, `the no-op up changed something: ${JSON.stringify(result.changes)}`);
}

/** `cto up` after a crash: clears a dead holder's lock with `cto cancel --yes` if up names one. */
async function recoverUp(p: CtoProject, metrics: DrillMetrics): Promise<CtoResult> {
  let r = await p.cto(["up", "--yes", "--json"]);
  if (r.code !== 0 && /lock/i.test(r.stdout + r.stderr)) {
    assert.match(r.stdout + r.stderr, new RegExp(os.hostname()), "the refusal names the lock holder's host");
    metrics.max("cancels_needed", 1);
    await p.ok("cancel", "--yes");
    r = await p.cto(["up", "--yes", "--json"]);
  }
  assert.equal(r.code, 0, `cto up after the interruption exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr}`);
  return r;
}

async function assertConverged(p: CtoProject, cluster: string): Promise<void> {
  const k = p.kubectl(cluster);
  assert.deepEqual(stackState(p, "dev").pending, [], "no pending operations in the state");
  const releases = await helmReleases(k);
  for (const [name, r] of releases) assert.equal(r.status, "deployed", `Helm release ${name} is ${r.status}`);
  assert.deepEqual(await orphans(p, k, "dev"), [], "every object of ours is accounted for by the state");
  await assertNoChanges(p);
}

const isHelmRelease = (e: EngineEvent) => (e.type ?? "").includes("helm.sh/v3:Release");

describe("drill interrupted-runs: SIGKILL and SIGINT during cto up and cto destroy, then recovery", function () {
  this.timeout(3_600_000);
  const metrics = new DrillMetrics("interrupted-runs");
  const cluster = `drill-int-${randomBytes(3).toString("hex")}`;
  let p: CtoProject;

  before(async function () {
    p = await CtoProject.create();
    await p.init("minimal", cluster);
  });
  after(async function () {
    metrics.set("cases", this.test?.parent?.tests.length ?? 0);
    metrics.write();
    if (p) await p.cleanup();
  });

  /**
   * How many resources a fresh install changes: `cto up --yes` runs no preview first (one engine
   * pass), so its progress events carry no total (0); a `cto preview` of the same fresh install says.
   */
  const freshTotal = async (): Promise<number> => {
    const r = await p.ok("preview", "--json");
    const total = (JSON.parse(r.stdout) as { total: number }).total;
    assert.ok(total > 1, `a fresh install changes something: ${r.stdout.slice(0, 500)}`);
    return total;
  };

  const killPoints: {
    name: string;
    when: (e: EngineEvent, seen: EngineEvent[], total: number) => boolean;
    /** The point is placed by the fresh install's total (`freshTotal`). */
    needsTotal?: boolean;
    delayMs?: number;
    fixed?: string;
  }[] = [
    { name: "after the first resource", when: (e) => e.kind === "done" },
    {
      name: "mid simulated cluster create",
      when: (e) => e.kind === "start" && (e.type ?? "").endsWith(":SimulatedCluster"),
      delayMs: 2000,
      fixed: "the next up refused the half-made cluster as another stack's; a failed create left its processes running",
    },
    {
      name: "mid Helm release",
      when: (e) => e.kind === "start" && isHelmRelease(e),
      delayMs: 1500,
      fixed: "cto up stops the killed run's orphaned plugins and settles its Helm releases and pending creates",
    },
    {
      name: "just before the end",
      when: (e, _seen, total) => e.kind === "done" && e.index !== undefined && e.index >= total - 1,
      needsTotal: true,
    },
  ];

  for (const point of killPoints) {
    const fixed = point.fixed ? ` [fixed: ${point.fixed}]` : "";
    it(`SIGKILL ${point.name}: cto up again converges, nothing orphaned or pending, then no changes${fixed}`, async function () {
      // Start each point from nothing, so every point interrupts a real install.
      if (p.clusters().includes(cluster)) await p.ok("destroy", "--yes");
      const total = point.needsTotal ? await freshTotal() : 0;
      const when = (e: EngineEvent, seen: EngineEvent[]): boolean => point.when(e, seen, total);
      const killed = await interruptAt(p, ["up", "--yes", "--json"], when, "SIGKILL", point.delayMs);
      assert.ok(killed.fired, `the kill point was reached\n${killed.stderr.slice(-2000)}`);
      assert.equal(killed.signal, "SIGKILL");
      await recoverUp(p, metrics);
      await assertConverged(p, cluster);
    });
  }

  for (const point of killPoints) {
    it(`SIGINT ${point.name}: cto stops by itself, and a plain cto up recovers without cancel`, async function () {
      if (p.clusters().includes(cluster)) await p.ok("destroy", "--yes");
      const total = point.needsTotal ? await freshTotal() : 0;
      const when = (e: EngineEvent, seen: EngineEvent[]): boolean => point.when(e, seen, total);
      const interrupted = await interruptAt(p, ["up", "--yes", "--json"], when, "SIGINT", point.delayMs);
      assert.ok(interrupted.fired, `the interrupt point was reached\n${interrupted.stderr.slice(-2000)}`);
      assert.notEqual(
        interrupted.signal,
        "SIGKILL",
        "cto exited after Ctrl-C (the drill's 15 min guard did not kill it)",
      );
      metrics.max("sigint_exit_seconds", Math.round(interrupted.exitSeconds ?? 0));
      // Ctrl-C just before the end may let the last resource finish; anywhere earlier the run must
      // not report success.
      if (point.name !== "just before the end")
        assert.notEqual(interrupted.code, 0, "an interrupted up does not report success");
      const r = await p.cto(["up", "--yes", "--json"]);
      assert.equal(r.code, 0, `cto up after Ctrl-C exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
      await assertConverged(p, cluster);
    });
  }

  it("SIGKILL during cto destroy: destroy again removes everything [fixed: state unreadable (EOF) after a kill: the file backend writes no metadata sidecars]", async function () {
    if (!p.clusters().includes(cluster)) await p.ok("up", "--yes");
    const killed = await interruptAt(
      p,
      ["destroy", "--yes", "--json"],
      (e) => e.kind === "done" && e.op === "delete",
      "SIGKILL",
    );
    assert.ok(killed.fired, `destroy deleted something before the kill\n${killed.stderr.slice(-2000)}`);
    let r = await p.cto(["destroy", "--yes"]);
    if (r.code !== 0 && /lock/i.test(r.stdout + r.stderr)) {
      await p.ok("cancel", "--yes");
      r = await p.cto(["destroy", "--yes"]);
    }
    assert.equal(r.code, 0, `destroy after the interruption exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
    assert.deepEqual(p.clusters(), [], "the simulated cluster is gone");
    assert.deepEqual(
      stackState(p, "dev").resources.filter((x) => !x.type.startsWith("pulumi:")),
      [],
    );
  });
});

describe("drill interrupted-upgrade: SIGKILL of cto upgrade mid Helm release, then a plain cto upgrade converges on the new release", function () {
  this.timeout(3_600_000);
  const metrics = new DrillMetrics("interrupted-upgrade");
  const cluster = `drill-upg-${randomBytes(3).toString("hex")}`;
  const FROM = "0.2.0";
  let p: CtoProject;
  let catalog: Catalog;

  /** The release cto.yaml gives dev: environments.dev.release (where cto upgrade records it), else release. */
  const release = async () => {
    const c = YAML.parse(readFileSync(p.configFile, "utf8")) as {
      release?: string;
      environments?: Record<string, { release?: string } | null>;
    };
    return c.environments?.dev?.release ?? c.release;
  };

  before(async function () {
    catalog = await loadCatalog();
    assert.ok(catalog.releases[FROM], `release ${FROM} in profiles/versions.yaml`);
    assert.notEqual(catalog.latestRelease, FROM, "a newer release to upgrade to");
    p = await CtoProject.create();
    await p.init("minimal", cluster);
    await p.editConfig((doc) => doc.set("release", FROM));
    await p.ok("up", "--yes");
  });
  after(async function () {
    metrics.set("cases", this.test?.parent?.tests.length ?? 0);
    metrics.write();
    if (p) await p.cleanup();
  });

  it("SIGKILL mid Helm release of cto upgrade: cto.yaml keeps the old release, a plain cto upgrade finishes, nothing orphaned or pending, then no changes", async function () {
    const to = catalog.latestRelease;
    const k = p.kubectl(cluster);
    const moving = [...(await deployedCharts(k)).keys()].filter(
      (r) => catalog.releases[FROM]!.charts[r]?.version !== catalog.releases[to]!.charts[r]?.version,
    );
    assert.ok(moving.length > 0, `some chart moves from ${FROM} to ${to}`);
    // Killed (the whole process group, engine included) 1.5 s into the first Helm release the
    // upgrade applies: after it printed its version changes, while a chart moves to its new
    // version. With --yes the update is the only engine pass (issue 20): no preview line comes
    // first, and "start" events are the update's own (a preview's planning steps are not shown).
    const killed = await interruptAt(
      p,
      ["upgrade", "--yes", "--json"],
      (e, seen) => seen.some((x) => x.kind === "versions") && e.kind === "start" && isHelmRelease(e),
      "SIGKILL",
      1500,
    );
    assert.ok(killed.fired, `the kill point was reached\n${killed.stderr.slice(-2000)}`);
    assert.equal(killed.signal, "SIGKILL");
    assert.ok(
      killed.seen.some((e) => e.kind === "versions"),
      "the killed run was an upgrade (it printed its version changes)",
    );
    // The release is recorded only once the environment runs it: the config still names FROM.
    assert.equal(await release(), FROM, "cto.yaml still names the release the upgrade started from");

    // Recovery: the same command a user would retry (clearing a dead holder's lock if it names one).
    let r = await p.cto(["upgrade", "--yes", "--json"]);
    if (r.code !== 0 && /lock/i.test(r.stdout + r.stderr)) {
      assert.match(r.stdout + r.stderr, new RegExp(os.hostname()), "the refusal names the lock holder's host");
      metrics.max("cancels_needed", 1);
      await p.ok("cancel", "--yes");
      r = await p.cto(["upgrade", "--yes", "--json"]);
    }
    assert.equal(r.code, 0, `cto upgrade after the kill exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr}`);
    assert.equal(await release(), to, `cto.yaml records release ${to}`);
    for (const [name, rel] of await deployedCharts(k)) {
      const pin = catalog.releases[to]!.charts[name];
      assert.equal(rel.status, "deployed", `Helm release ${name}`);
      assert.equal(rel.chart, pin ? `${pin.chart}-${pin.version}` : undefined, `${name} runs its ${to} pin`);
    }
    await assertConverged(p, cluster);
  });
});

describe("drill concurrent-runs: two cto up on one stack, and two environments at once", function () {
  this.timeout(3_600_000);
  const metrics = new DrillMetrics("concurrent-runs");
  const cluster = `drill-con-${randomBytes(3).toString("hex")}`;
  let p: CtoProject;

  before(async function () {
    p = await CtoProject.create();
    await p.init("minimal", cluster);
    await p.editConfig((doc) => {
      doc.setIn(["environments", "dev"], doc.createNode({}));
      doc.setIn(["environments", "staging", "cluster", "name"], `${cluster}-stg`);
    });
  });
  after(async function () {
    metrics.set("cases", this.test?.parent?.tests.length ?? 0);
    metrics.write();
    if (p) await p.cleanup();
  });

  it("the second cto up on the same stack is refused naming the lock holder; the first completes", async function () {
    let second: CtoResult | undefined;
    const first = runCto(["up", "--yes", "--env", "dev"], { cwd: p.sandbox.cwd, env: p.env, timeoutMs: 900_000 });
    // Start the second run once the first holds the stack's lock (a lock file in the file backend).
    const locks = path.join(p.home, "state", ".pulumi", "locks");
    for (let i = 0; i < 6000 && !second; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(locks) && readdirSync(locks, { recursive: true }).some((f) => String(f).endsWith(".json"))) {
        second = await runCto(["up", "--yes", "--env", "dev"], { cwd: p.sandbox.cwd, env: p.env, timeoutMs: 900_000 });
      }
    }
    const done = await first;
    assert.ok(second, "the first up took the lock");
    assert.equal(done.code, 0, `the first up completes\n${done.stderr.slice(-2000)}`);
    metrics.set("second_run_exit", second.code ?? -1);
    assert.equal(second.code, 1, `the second up is refused\n${second.stdout}\n${second.stderr}`);
    const text = second.stdout + second.stderr;
    assert.match(text, /lock/i);
    assert.match(text, new RegExp(`${os.userInfo().username}@${os.hostname()}`), "names who holds the lock");
    assert.match(text, /pid \d+/, "names the holder's process");
    await assertNoChanges(p, "dev");
  });

  it("dev and staging run at once without interfering, each idempotent afterwards", async function () {
    const [dev, staging] = await Promise.all([
      p.cto(["up", "--yes", "--env", "dev"]),
      p.cto(["up", "--yes", "--env", "staging"]),
    ]);
    assert.equal(dev.code, 0, `dev\n${dev.stderr}`);
    assert.equal(staging.code, 0, `staging\n${staging.stderr}`);
    assert.deepEqual(p.clusters().sort(), [cluster, `${cluster}-stg`].sort());
    await assertNoChanges(p, "dev");
    await assertNoChanges(p, "staging");
    const [d1, d2] = await Promise.all([
      p.cto(["destroy", "--yes", "--env", "dev"]),
      p.cto(["destroy", "--yes", "--env", "staging"]),
    ]);
    assert.equal(d1.code, 0, d1.stderr);
    assert.equal(d2.code, 0, d2.stderr);
  });
});

describe("drill teardown: after cto destroy nothing of ours remains on a cluster cto did not create", function () {
  this.timeout(3_600_000);
  const metrics = new DrillMetrics("teardown");
  let p: CtoProject;
  let kwok: KwokCluster;
  let baseline: { crds: string[]; clusterRoles: string[]; webhooks: string[]; namespaces: string[] };
  /** The CRDs the monitoring chart (stand-in kube-prometheus-stack) ships in its crds/ directory. */
  let chartCrds: string[];
  /** One of them, created by someone else before cto up: Helm skips it, destroy must leave it. */
  const PREEXISTING = "prometheuses.monitoring.coreos.com";
  let preexistingUid: string;

  const clusterScoped = async (k: Kubectl) => {
    const names = async (kind: string) =>
      (await k.json<KubeList>("get", kind)).items.map((o) => o.metadata.name).sort();
    return {
      crds: await names("customresourcedefinitions"),
      clusterRoles: [...(await names("clusterroles")), ...(await names("clusterrolebindings"))].sort(),
      webhooks: [
        ...(await names("mutatingwebhookconfigurations")),
        ...(await names("validatingwebhookconfigurations")),
      ].sort(),
      namespaces: await names("namespaces"),
    };
  };
  const uidOf = async (crd: string) =>
    ((await kwok.kubectl.json<KubeObject>("get", "crd", crd)).metadata as { uid?: string }).uid ?? "";
  const presentCrds = async () => new Set((await clusterScoped(kwok.kubectl)).crds);

  before(async function () {
    const dir = path.join(repoRoot(), "test", "fixtures", "charts", "kube-prometheus-stack", "crds");
    chartCrds = readdirSync(dir)
      .map((f) => (YAML.parse(readFileSync(path.join(dir, f), "utf8")) as KubeObject).metadata.name)
      .sort();
    assert.ok(chartCrds.includes(PREEXISTING) && chartCrds.length > 5, `crds/ of the stand-in chart: ${chartCrds}`);
    // The standard profile asks for 9.5 CPUs and 19 GiB, and a default StorageClass (a cluster's own).
    kwok = await startKwokCluster({ nodes: 3 });
    const created = Date.now();
    const manifest = path.join(kwok.workdir, "preexisting.yaml");
    const storageClass = {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "kubernetes.io/no-provisioner",
    };
    writeFileSync(
      manifest,
      YAML.stringify(storageClass) +
        "---\n" +
        YAML.stringify({
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          metadata: { name: PREEXISTING, labels: { "installed-by": "another-team" } },
          spec: {
            group: "monitoring.coreos.com",
            scope: "Namespaced",
            names: { kind: "Prometheus", listKind: "PrometheusList", plural: "prometheuses", singular: "prometheus" },
            versions: [
              {
                name: "v1",
                served: true,
                storage: true,
                schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
              },
            ],
          },
        }),
    );
    await kwok.kubectl.ok("create", "-f", manifest);
    preexistingUid = await uidOf(PREEXISTING);
    baseline = await clusterScoped(kwok.kubectl);
    p = await CtoProject.create();
    await p.init("standard", `drill-td-${randomBytes(3).toString("hex")}`);
    await p.editConfig((doc) => {
      doc.setIn(["cluster"], doc.createNode({ provider: "existing", kubeconfig: kwok.kubeconfig }));
    });
    // cto counts a crds/ CRD created up to CRD_INSTALL_WINDOW_SECONDS before its release's first
    // install as the release's (Helm creates them, then records the release): let the other
    // team's CRD be older than that, as it would be on a real cluster.
    const wait = created + (CRD_INSTALL_WINDOW_SECONDS + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Under load the simulated nodes were seen NotReady after that wait (cto up then refuses them,
    // rightly): wait for them to be Ready and untainted again, and say so if they are not.
    const notReady = async () =>
      (await kwok.kubectl.json<KubeList>("get", "nodes")).items
        .filter(
          (n) =>
            !n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ||
            ((n.spec as { taints?: unknown[] } | undefined)?.taints ?? []).length > 0,
        )
        .map((n) => n.metadata.name);
    const since = Date.now();
    const stale = await eventually(notReady, (names) => names.length === 0, 180_000, 2_000);
    metrics.set("nodes_not_ready_wait_s", Math.round((Date.now() - since) / 1000));
    assert.deepEqual(stale, [], await kwok.kubectl.ok("get", "nodes", "-o", "wide"));
  });
  after(async function () {
    metrics.set("cases", this.test?.parent?.tests.length ?? 0);
    metrics.write();
    if (p) await p.cleanup();
    if (kwok) await kwok.destroy();
  });

  it("cto up installs the standard profile, and a second up reports no changes", async function () {
    await p.ok("up", "--yes");
    const installed = await ourObjects(kwok.kubectl);
    metrics.set("objects_installed", installed.length);
    assert.ok(installed.length > 10, `objects labelled as ours: ${installed.length}`);
    assert.deepEqual(await orphans(p, kwok.kubectl, "dev"), []);
    const present = await presentCrds();
    assert.deepEqual(
      chartCrds.filter((c) => !present.has(c)),
      [],
      "the monitoring chart's crds/ CRDs are installed",
    );
    assert.equal(await uidOf(PREEXISTING), preexistingUid, "Helm skipped the CRD that was there before");
    // A figure for CRD_INSTALL_WINDOW_SECONDS: how long before the release's first_deployed Helm created its CRDs.
    const records = await kwok.kubectl.json<{ items: { data?: { release?: string } }[] }>(
      ...["get", "secrets", "-n", "monitoring", "-l", "owner=helm,name=monitoring"],
    );
    const firstDeployed = Date.parse(
      decodeHelmReleaseSecret(records.items[0]?.data?.release ?? "").info?.first_deployed ?? "",
    );
    const crds = await kwok.kubectl.json<KubeList>("get", "crd");
    const lead = crds.items
      .filter((c) => chartCrds.includes(c.metadata.name) && c.metadata.name !== PREEXISTING)
      .map((c) => firstDeployed - Date.parse((c.metadata as { creationTimestamp?: string }).creationTimestamp ?? ""));
    metrics.set("crds_created_before_release_ms", Math.max(...lead));
    await assertNoChanges(p);
  });

  it("cto destroy leaves nothing labelled as ours and the cluster-scoped objects as they were before, a CRD that was there before included [fixed: destroy deletes the CRDs the charts keep, and those they ship in crds/ (Helm never deletes them) unless they were there before]", async function () {
    const r = await p.ok("destroy", "--yes");
    assert.deepEqual(
      (await ourObjects(kwok.kubectl)).map((o) => o.ref),
      [],
    );
    // Namespaces take a moment to finish terminating.
    const after = await eventually(
      () => clusterScoped(kwok.kubectl),
      (now) => now.namespaces.join() === baseline.namespaces.join(),
      120_000,
    );
    metrics.set("crds_deleted", Number(/Deleted the (\d+) CRDs/.exec(r.stdout)?.[1] ?? 0));
    assert.deepEqual(after.crds, baseline.crds, "CRDs");
    assert.equal(await uidOf(PREEXISTING), preexistingUid, "the other team's CRD is the same object");
    assert.match(r.stdout, new RegExp(`Kept 1 CRDs .*${PREEXISTING.replace(/\./g, "\\.")}`));
    assert.deepEqual(after.clusterRoles, baseline.clusterRoles, "cluster roles and bindings");
    assert.deepEqual(after.webhooks, baseline.webhooks, "admission webhooks");
    assert.deepEqual(after.namespaces, baseline.namespaces, "namespaces");
  });

  it("cto destroy killed after the monitoring release is uninstalled: the next destroy still deletes its crds/ CRDs [fixed: destroy records the crds/ CRD names before the release records go]", async function () {
    await p.ok("up", "--yes");
    const killed = await interruptAt(
      p,
      ["destroy", "--yes", "--json"],
      // The monitoring component holds two releases (monitoring, logging): the one with crds/ by name.
      (e) =>
        e.kind === "done" && e.op === "delete" && isHelmRelease(e) && (e.urn ?? "").endsWith("::monitoring-monitoring"),
      "SIGKILL",
    );
    assert.ok(
      killed.fired,
      `destroy uninstalled the monitoring release before the kill\n${killed.stderr.slice(-2000)}`,
    );
    assert.equal((await helmReleases(kwok.kubectl)).has("monitoring"), false, "its release records are gone");
    const present = await presentCrds();
    const left = chartCrds.filter((c) => c !== PREEXISTING && present.has(c));
    metrics.set("crds_left_by_killed_destroy", left.length);
    assert.ok(left.length > 0, "the killed destroy left the monitoring chart's crds/ CRDs");
    let r = await p.cto(["destroy", "--yes"]);
    if (r.code !== 0 && /lock/i.test(r.stdout + r.stderr)) {
      await p.ok("cancel", "--yes");
      r = await p.cto(["destroy", "--yes"]);
    }
    assert.equal(r.code, 0, `destroy after the kill exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
    const after = await presentCrds();
    assert.deepEqual(
      chartCrds.filter((c) => c !== PREEXISTING && after.has(c)),
      [],
      "the monitoring chart's crds/ CRDs are gone",
    );
    assert.equal(await uidOf(PREEXISTING), preexistingUid, "the other team's CRD is the same object");
  });

  it("cto destroy --keep-crds keeps the CRDs Helm leaves behind (crds/ and resource-policy keep), and a later destroy leaves them too", async function () {
    await p.ok("up", "--yes");
    // Helm deletes a chart's other CRDs with the release; --keep-crds is about the ones it leaves.
    const crds = await kwok.kubectl.json<KubeList>("get", "crd");
    const leftByHelm = crds.items
      .filter((c) => c.metadata.annotations?.["helm.sh/resource-policy"] === "keep")
      .map((c) => c.metadata.name);
    assert.ok(
      leftByHelm.some((c) => c.endsWith(".argoproj.io")),
      `the Argo charts' CRDs are kept: ${leftByHelm}`,
    );
    const expected = [...new Set([...leftByHelm, ...chartCrds])].sort();
    await p.ok("destroy", "--yes", "--keep-crds");
    const kept = await presentCrds();
    metrics.set("crds_kept", expected.filter((c) => kept.has(c)).length);
    assert.deepEqual(
      expected.filter((c) => !kept.has(c)),
      [],
      "every CRD Helm leaves is still there",
    );
    const again = await p.ok("destroy", "--yes");
    assert.match(again.stdout, /Nothing to destroy/);
    const still = await presentCrds();
    assert.deepEqual(
      expected.filter((c) => !still.has(c)),
      [],
      "a destroy of the empty stack does not delete kept CRDs",
    );
  });
});
