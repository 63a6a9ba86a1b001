/**
 * Builds the stand-in charts (test/fixtures/charts/<dir>/) into a Helm repository directory:
 * one `<name>-<version>.tgz` per requested version plus `index.yaml`.
 *
 * The stand-ins carry the real charts' names, CRD kinds and workload names with small templates;
 * they exist for the offline demo and the tests. Real installs use the official charts.
 *
 * Output is deterministic: files in sorted order, fixed mtimes and ownership, fixed `created`
 * timestamps, so the same inputs give byte-identical archives and the same digests.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tar from "tar";
import YAML from "yaml";
import { dataFor } from "./charts-data.js";

/** One chart version to put in the repository. */
export interface ChartVersion {
  /** Chart name, as in Chart.yaml and profiles/versions.yaml (e.g. "argo-cd"). */
  chart: string;
  version: string;
}

export interface BuiltChart extends ChartVersion {
  file: string;
  digest: string;
}

/** Fixed timestamp for archives and index entries (determinism). */
const EPOCH = new Date("2026-01-01T00:00:00Z");

/** The repository root (walks up from this module to cto's package.json). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "test", "fixtures", "charts"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find test/fixtures/charts above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** Stand-in chart sources by chart name (read from each source's Chart.yaml). */
export async function standInSources(root = repoRoot()): Promise<Map<string, string>> {
  const base = path.join(root, "test", "fixtures", "charts");
  const out = new Map<string, string>();
  for (const entry of (await readdir(base, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith("_")) continue;
    const dir = path.join(base, entry.name);
    const meta = YAML.parse(await readFile(path.join(dir, "Chart.yaml"), "utf8")) as { name: string };
    out.set(meta.name, dir);
  }
  return out;
}

/**
 * The chart versions the tests and the demo need: every chart pinned in profiles/versions.yaml
 * (all releases) that has a stand-in, each also at the next patch version (for upgrade tests);
 * charts without a pin are built at their source version.
 */
export async function defaultChartVersions(root = repoRoot()): Promise<ChartVersion[]> {
  const sources = await standInSources(root);
  const pins = await pinnedCharts(root);
  const wanted = new Map<string, Set<string>>();
  const add = (chart: string, version: string) => {
    if (!wanted.has(chart)) wanted.set(chart, new Set());
    wanted.get(chart)!.add(version);
  };
  for (const pin of pins) {
    if (!sources.has(pin.chart)) continue;
    add(pin.chart, pin.version);
    add(pin.chart, nextPatch(pin.version));
  }
  for (const [chart, dir] of sources) {
    if (wanted.has(chart)) continue;
    const meta = YAML.parse(await readFile(path.join(dir, "Chart.yaml"), "utf8")) as { version: string };
    add(chart, meta.version);
    add(chart, nextPatch(meta.version));
  }
  return [...wanted.entries()].flatMap(([chart, versions]) => [...versions].map((version) => ({ chart, version })));
}

/** `1.2.3` → `1.2.4` (a leading `v` and pre-release suffix are kept off the bump). */
export function nextPatch(version: string): string {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a semantic version: ${version}`);
  return `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}`;
}

/**
 * Every (chart, version) pinned in profiles/versions.yaml, whatever its exact layout: any mapping
 * with string `chart` and `version` keys counts. Empty when the file does not exist yet.
 */
export async function pinnedCharts(root = repoRoot()): Promise<ChartVersion[]> {
  const file = path.join(root, "profiles", "versions.yaml");
  if (!existsSync(file)) return [];
  const found: ChartVersion[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (typeof o.chart === "string" && typeof o.version === "string")
        found.push({ chart: o.chart, version: o.version });
      Object.values(o).forEach(walk);
    }
  };
  walk(YAML.parse(await readFile(file, "utf8")));
  return found;
}

/**
 * The default stand-in repository (every chart version the releases pin) in `outDir`: a copy of
 * the one scripts/run-e2e.sh builds once per run and names in CTO_E2E_CHART_REPO (about 13 s saved
 * per file), else built here. Each file gets its own copy, so none sees another's changes.
 */
export async function defaultChartRepo(outDir: string): Promise<void> {
  const prebuilt = process.env.CTO_E2E_CHART_REPO;
  if (prebuilt && existsSync(path.join(prebuilt, "index.yaml"))) {
    await cp(prebuilt, outDir, { recursive: true });
    return;
  }
  await buildChartRepo(outDir, await defaultChartVersions());
}

/**
 * Packages the requested chart versions into `outDir` and writes its `index.yaml`.
 * Throws when a chart has no stand-in source.
 */
export async function buildChartRepo(
  outDir: string,
  charts: ChartVersion[],
  opts: { root?: string } = {},
): Promise<BuiltChart[]> {
  const root = opts.root ?? repoRoot();
  const sources = await standInSources(root);
  const shared = path.join(root, "test", "fixtures", "charts", "_shared");
  await mkdir(outDir, { recursive: true });
  const stage = await mkdtemp(path.join(os.tmpdir(), "cto-charts-"));
  const built: BuiltChart[] = [];
  try {
    const sorted = [...charts].sort((a, b) => a.chart.localeCompare(b.chart) || a.version.localeCompare(b.version));
    for (const { chart, version } of sorted) {
      const src = sources.get(chart);
      if (!src) throw new Error(`no stand-in chart for ${chart} (have: ${[...sources.keys()].join(", ")})`);
      built.push(await packageChart(src, shared, chart, version, stage, outDir));
    }
    await writeFile(path.join(outDir, "index.yaml"), await indexYaml(built, sources));
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  return built;
}

async function packageChart(
  src: string,
  shared: string,
  chart: string,
  version: string,
  stage: string,
  outDir: string,
): Promise<BuiltChart> {
  const dir = path.join(stage, `${chart}-${version}`, chart);
  await cp(src, dir, { recursive: true });
  await cp(path.join(shared, "templates"), path.join(dir, "templates"), { recursive: true });
  const meta = YAML.parse(await readFile(path.join(dir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
  const real = await useRealChartData(dir, chart, version);
  await writeFile(path.join(dir, "Chart.yaml"), YAML.stringify({ ...meta, ...real, name: chart, version }));
  const files = (await listFiles(dir)).map((f) => path.join(chart, f));
  const file = `${chart}-${version}.tgz`;
  const target = path.join(outDir, file);
  await tar.create(
    { file: target, gzip: { level: 9 }, cwd: path.dirname(dir), portable: true, mtime: EPOCH, noDirRecurse: true },
    files,
  );
  const digest = createHash("sha256")
    .update(await readFile(target))
    .digest("hex");
  return { chart, version, file, digest };
}

/**
 * How each official chart installs its CRDs, which the stand-in copies: rendered from templates
 * (under the chart's CRD switch), Helm's `crds/` directory, or the `crds/` directory of a `crds`
 * subchart (kube-prometheus-stack's `charts/crds`, switched by `crds.enabled`).
 */
const CRD_PLACEMENT: Record<string, "template" | "crds" | "subchart"> = {
  "argo-cd": "template",
  "argo-workflows": "template",
  "argo-events": "template",
  "cert-manager": "template",
  "cloudnative-pg": "template",
  "redis-operator": "crds",
  velero: "crds",
  "kube-prometheus-stack": "subchart",
};

/**
 * Puts the official chart version's data into the staged stand-in `dir` when ../shared/charts-data
 * has it (see charts-data.ts): its real CRDs, placed where the official chart keeps them (the
 * stand-in's permissive CRDs are removed), and its workload inventory as `files/workloads.tsv`.
 * Returns the Chart.yaml fields to set: the official appVersion (images follow it) and an
 * annotation naming the data used. Nothing changes without the data.
 */
async function useRealChartData(dir: string, chart: string, version: string): Promise<Record<string, unknown>> {
  const data = dataFor(chart, version);
  if (!data) return {};
  const official = YAML.parse(await readFile(path.join(data, "Chart.yaml"), "utf8")) as { appVersion?: unknown };
  const crds = await readFile(path.join(data, "crds.yaml"), "utf8");
  const placement = CRD_PLACEMENT[chart];
  const extra: Record<string, unknown> = {
    appVersion: String(official.appVersion),
    annotations: { "cto.dev/stands-for": `${chart} ${path.basename(data)} (CRDs and workload names from charts-data)` },
  };
  await mkdir(path.join(dir, "files"), { recursive: true });
  await cp(path.join(data, "workloads.tsv"), path.join(dir, "files", "workloads.tsv"));
  if (crds.trim() === "" || !placement) return extra;
  await rm(path.join(dir, "crds"), { recursive: true, force: true });
  if (placement === "template") {
    await writeFile(path.join(dir, "files", "crds.yaml"), crds);
  } else if (placement === "crds") {
    await rm(path.join(dir, "templates", "crds.yaml"), { force: true });
    await mkdir(path.join(dir, "crds"));
    await writeFile(path.join(dir, "crds", "crds.yaml"), crds);
  } else {
    const sub = path.join(dir, "charts", "crds");
    await mkdir(path.join(sub, "crds"), { recursive: true });
    await writeFile(
      path.join(sub, "Chart.yaml"),
      YAML.stringify({ apiVersion: "v2", name: "crds", version: "0.0.0", description: "the official CRDs" }),
    );
    await writeFile(path.join(sub, "crds", "crds.yaml"), crds);
    extra.dependencies = [{ name: "crds", version: "0.0.0", condition: "crds.enabled" }];
  }
  return extra;
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

async function indexYaml(built: BuiltChart[], sources: Map<string, string>): Promise<string> {
  const entries: Record<string, unknown[]> = {};
  for (const b of built) {
    const meta = YAML.parse(await readFile(path.join(sources.get(b.chart)!, "Chart.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    (entries[b.chart] ??= []).push({
      apiVersion: "v2",
      name: b.chart,
      version: b.version,
      appVersion: meta.appVersion,
      description: meta.description,
      type: "application",
      created: EPOCH.toISOString(),
      digest: b.digest,
      urls: [b.file],
    });
  }
  return YAML.stringify({ apiVersion: "v1", entries, generated: EPOCH.toISOString() });
}
