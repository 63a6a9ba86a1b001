/**
 * The work behind `cto version`, loaded only when it runs.
 */
import { ctoHome } from "../../config/paths.js";
import { loadCatalog, newest } from "../../profiles/load.js";
import { installVersions } from "../../profiles/tools.js";
import { PULUMI_CLI_VERSION } from "../../stacks/preflight/versions.js";
import { ctoVersion, packageManifest, type CommandIO } from "../context.js";
import { table } from "../table.js";
import { describeSource, toolSources, type ToolSource } from "./tools.js";
import type { VersionOptions } from "../commands/version.js";

/** The `--json` shape. */
export interface VersionInfo {
  cto: string;
  node: string;
  pulumi: { cli: string; sdk: Record<string, string> };
  latestRelease: string;
  /** Each tool cto installs: the version the newest release pins and where the one cto runs came from. */
  tools: ToolSource[];
  /** release → Kubernetes versions of clusters cto creates, and component → chart pin. */
  releases: Record<
    string,
    {
      description: string;
      kubernetes: Record<string, string>;
      charts: Record<string, { chart: string; version: string }>;
      /** The platform's images by name (`controller`, `agent-<cli>`): `<registry>/<repository>:<tag>`. */
      images: Record<string, string>;
    }
  >;
}

export async function versionInfo(env: NodeJS.ProcessEnv = process.env): Promise<VersionInfo> {
  const catalog = await loadCatalog();
  const deps = packageManifest().dependencies ?? {};
  const sdk = Object.fromEntries(Object.entries(deps).filter(([name]) => name.startsWith("@pulumi/")));
  const releases: VersionInfo["releases"] = {};
  for (const number of sortReleases(Object.keys(catalog.releases))) {
    const r = catalog.releases[number];
    if (!r) continue;
    releases[number] = {
      description: r.description,
      kubernetes: { ...r.cluster },
      charts: Object.fromEntries(
        Object.entries(r.charts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([component, pin]) => [component, { chart: pin.chart, version: pin.version }]),
      ),
      images: Object.fromEntries(
        [
          ["controller", r.images.controller] as const,
          ...Object.entries(r.images.agents).map(([cli, pin]) => [`agent-${cli}`, pin] as const),
        ]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, pin]) => [name, `${pin.registry}/${pin.repository}:${pin.tag}`]),
      ),
    };
  }
  return {
    cto: ctoVersion(),
    node: process.versions.node,
    pulumi: { cli: PULUMI_CLI_VERSION, sdk },
    latestRelease: catalog.latestRelease,
    tools: await toolSources(ctoHome(env), installVersions(catalog, catalog.latestRelease), env),
    releases,
  };
}

/** Oldest first, by semantic version. */
function sortReleases(numbers: string[]): string[] {
  const rest = [...numbers];
  const out: string[] = [];
  while (rest.length > 0) {
    const latest = newest(rest);
    out.unshift(latest);
    rest.splice(rest.indexOf(latest), 1);
  }
  return out;
}

export async function runVersion(options: VersionOptions, io: CommandIO): Promise<number> {
  const info = await versionInfo(io.env);
  if (options.json) {
    io.print(JSON.stringify(info, null, 2));
    return 0;
  }
  io.print(`cto ${info.cto} (Node.js ${info.node})`);
  io.print(`Pulumi CLI ${info.pulumi.cli} (pinned)`);
  io.print(
    `Pulumi SDKs: ${Object.entries(info.pulumi.sdk)
      .map(([n, v]) => `${n} ${v}`)
      .join(", ")}`,
  );
  io.print("");
  io.print(`Tools (versions pinned for release ${info.latestRelease}; cto doctor --fix installs missing ones):`);
  for (const t of info.tools) io.print(`  ${t.name} ${t.pinned}: ${describeSource(t)}`);
  io.print("");
  const numbers = Object.keys(info.releases);
  io.print(
    `Platform releases (profiles/versions.yaml); without release: in cto.yaml, ${info.latestRelease} is installed.`,
  );
  const components = [...new Set(numbers.flatMap((n) => Object.keys(info.releases[n]?.charts ?? {})))].sort();
  const rows = components.map((component) => {
    const pins = numbers.map((n) => info.releases[n]?.charts[component]);
    const charts = new Set(pins.map((p) => p?.chart).filter((c) => c !== undefined));
    const chart = charts.size === 1 ? ([...charts][0] ?? "") : "(varies)";
    return [
      component,
      chart,
      ...pins.map((p) => (p ? (charts.size === 1 ? p.version : `${p.chart} ${p.version}`) : "-")),
    ];
  });
  const providers = [...new Set(numbers.flatMap((n) => Object.keys(info.releases[n]?.kubernetes ?? {})))].sort();
  for (const provider of providers) {
    rows.push([`kubernetes (${provider})`, "", ...numbers.map((n) => info.releases[n]?.kubernetes[provider] ?? "-")]);
  }
  io.print(table(["COMPONENT", "CHART", ...numbers], rows));
  io.print("");
  io.print("Platform images (registry.platform_images: mirror pulls them from your registry instead):");
  const images = [...new Set(numbers.flatMap((n) => Object.keys(info.releases[n]?.images ?? {})))].sort();
  io.print(
    table(
      ["IMAGE", ...numbers],
      images.map((image) => [image, ...numbers.map((n) => info.releases[n]?.images[image] ?? "-")]),
    ),
  );
  return 0;
}
