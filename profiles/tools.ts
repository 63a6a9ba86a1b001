/**
 * Tool pins: which version of each tool a platform release installs (versions.yaml `tools:`) and
 * the SHA-256 digests pinned for their downloads (tool-digests.yaml, each with its source).
 *
 * `CTO_TOOL_DIGESTS=<file>` replaces the bundled digests file: for a mirror that re-packages the
 * tools under its own digests, and for tests that serve generated archives.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { ConfigError } from "../config/errors.js";
import type { Catalog } from "./load.js";
import { TOOL_DIGESTS_FILE, newest } from "./load.js";
import type { ToolVersions } from "./schema.js";

/** `<os>-<arch>` as cto names platforms: linux-amd64, darwin-arm64, … */
export type PlatformKey = `${"linux" | "darwin"}-${"amd64" | "arm64"}`;

const digestSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: "must be 64 lower-case hex digits" }),
  source: z.string().min(10, { message: "must say where the digest was taken from" }),
});

const digestsFileSchema = z.strictObject({
  pins: z.record(
    z.string(),
    z.record(
      z.string(),
      z.record(z.string().regex(/^(linux|darwin)-(amd64|arm64)$/, { message: "must be <os>-<arch>" }), digestSchema),
    ),
  ),
});

export type PinnedDigest = z.infer<typeof digestSchema>;
/** tool → version → platform → digest. */
export type DigestPins = z.infer<typeof digestsFileSchema>["pins"];

/** The digests file in use: `$CTO_TOOL_DIGESTS`, else the bundled one next to versions.yaml. */
export function toolDigestsFile(catalogDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.CTO_TOOL_DIGESTS ? path.resolve(env.CTO_TOOL_DIGESTS) : path.join(catalogDir, TOOL_DIGESTS_FILE);
}

/** Reads and validates a digests file. @throws ConfigError naming the file and path. */
export async function loadToolDigests(file: string): Promise<DigestPins> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, path: "", message: `cannot be read: ${(err as Error).message}` }]);
  }
  const parsed = digestsFileSchema.safeParse(parse(text) ?? {});
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ file, path: i.path.join("."), message: i.message })));
  }
  return parsed.data.pins;
}

/** The digest pinned for one download, if any. */
export function pinnedDigest(
  pins: DigestPins,
  tool: string,
  version: string,
  platform: PlatformKey,
): PinnedDigest | undefined {
  return pins[tool]?.[version]?.[platform];
}

/** Tool versions of a release: its own `tools:`, else those of the newest release that has them. */
export function toolVersions(catalog: Catalog, release: string): ToolVersions {
  const own = catalog.releases[release]?.tools;
  if (own) return own;
  const withTools = Object.keys(catalog.releases).filter((r) => catalog.releases[r]?.tools);
  const fallback = withTools.length > 0 ? catalog.releases[newest(withTools)]?.tools : undefined;
  if (!fallback) {
    throw new ConfigError([
      {
        file: path.join(catalog.dir, "versions.yaml"),
        path: `releases.${release}.tools`,
        message: "no release pins tool versions",
        hint: "add tools: { pulumi, pulumi-kubernetes, kubectl, kind, minikube } to the newest release",
      },
    ]);
  }
  return fallback;
}

/** What cto installs: the release's tool pins plus k3s, whose version is the cluster's (v1.32.1+k3s1 → 1.32.1+k3s1). */
export type InstallVersions = ToolVersions & { k3s: string };

/** The tool versions of a release, with k3s at `k3sTag` (the plan's cluster.version) or the release's own. */
export function installVersions(catalog: Catalog, release: string, k3sTag?: string): InstallVersions {
  const tag = k3sTag ?? (catalog.releases[release] ?? catalog.releases[catalog.latestRelease])?.cluster.k3s ?? "";
  return { ...toolVersions(catalog, release), k3s: tag.replace(/^v/, "") };
}
