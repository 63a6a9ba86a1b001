/**
 * The official charts' data (default values, schemas, CRDs, workload inventories) that lives next
 * to the repository in `../shared/charts-data/<chart>/<version>/` (see its README). Tests read it
 * from there at run time; it is never copied into the repository. A clone without `../shared`
 * has none: the tests that need it say so and skip, and the stand-in charts fall back to their
 * own permissive CRDs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./chart-repo.js";

/** One row of a `workloads.tsv` inventory: kind, name, and the notes split into key=value. */
export interface WorkloadRow {
  kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob";
  name: string;
  notes: Record<string, string>;
}

/** `$CTO_CHARTS_DATA`, else `<repo>/../shared/charts-data`; undefined when it does not exist. */
export function chartsDataDir(root = repoRoot()): string | undefined {
  const dir = process.env.CTO_CHARTS_DATA ?? path.resolve(root, "..", "shared", "charts-data");
  return existsSync(path.join(dir, "README.md")) ? dir : undefined;
}

/** Why the charts data is missing, for a test's skip message. */
export function chartsDataMissing(root = repoRoot()): string {
  return `no chart data at ${process.env.CTO_CHARTS_DATA ?? path.resolve(root, "..", "shared", "charts-data")} (a clone without ../shared): skipped`;
}

/** Every version directory of a chart in the data, e.g. ["10.1.1", "7.8.0"] (cert-manager: "v1.21.1"). */
export function dataVersions(chart: string, dir = chartsDataDir()): string[] {
  if (!dir || !existsSync(path.join(dir, chart))) return [];
  return readdirSync(path.join(dir, chart)).filter((v) => existsSync(path.join(dir, chart, v, "Chart.yaml")));
}

const parse = (v: string): number[] | undefined => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};

/**
 * The data directory a stand-in chart version stands for: the exact version (with or without a
 * leading `v`), else the newest data version of the same major.minor below it (the tests' extra
 * "next patch" versions stand for the pinned chart they were bumped from). Undefined when none.
 */
export function dataFor(chart: string, version: string, dir = chartsDataDir()): string | undefined {
  if (!dir) return undefined;
  const want = parse(version);
  if (!want) return undefined;
  let best: { v: number[]; dir: string } | undefined;
  for (const candidate of dataVersions(chart, dir)) {
    const v = parse(candidate);
    if (!v || v[0] !== want[0] || v[1] !== want[1] || v[2]! > want[2]!) continue;
    if (!best || v[2]! > best.v[2]!) best = { v, dir: path.join(dir, chart, candidate) };
  }
  return best?.dir;
}

/** The rows of a version's `workloads.tsv`. */
export function readWorkloads(versionDir: string): WorkloadRow[] {
  const text = readFileSync(path.join(versionDir, "workloads.tsv"), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line) => {
      const [kind = "", name = "", notes = ""] = line.split("\t");
      const parsed: Record<string, string> = {};
      for (const part of notes.split(";")) {
        const [k, ...rest] = part.trim().split("=");
        if (k) parsed[k] = rest.join("=");
      }
      return { kind: kind as WorkloadRow["kind"], name, notes: parsed };
    });
}
