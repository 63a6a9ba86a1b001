/**
 * The tools cto installs, as data: where each project publishes a release (the official URL), the
 * file for a platform, the checksum file the publisher puts beside it, and what goes into
 * `~/.cto/bin`.
 *
 * Base URLs can be replaced for air-gapped mirrors (and tests):
 * - `CTO_TOOLS_MIRROR=<url>`: every tool from `<url>/<tool>/<version>/<os>-<arch>/<file>`;
 * - `CTO_TOOLS_MIRROR_<TOOL>=<url>` (TOOL upper-cased, `-` as `_`, e.g. CTO_TOOLS_MIRROR_KUBECTL):
 *   that tool's release directory; `{version}`, `{os}` and `{arch}` in it are filled in.
 * The per-tool setting wins. Either way the same file names and checksum files are expected.
 */
import type { PlatformKey } from "../../profiles/tools.js";

export type ToolId = "pulumi" | "pulumi-kubernetes" | "kubectl" | "kind" | "minikube" | "k3s";

export interface Platform {
  os: "linux" | "darwin";
  arch: "amd64" | "arm64";
}

export interface ToolSpec {
  id: ToolId;
  /** Human name, e.g. "Pulumi CLI". */
  name: string;
  /** The executable whose presence means "installed". */
  main: string;
  /** The official release directory of a version (no trailing slash). */
  officialBase(version: string, p: Platform): string;
  /** The release file for a platform. */
  asset(version: string, p: Platform): string;
  /** The publisher's checksum file in the same directory. */
  checksumFile(version: string, p: Platform): string;
  /**
   * How the download becomes files in bin: a bare executable installed as `main`, or a tar.gz whose
   * entries `pick` maps to installed names (undefined: not installed).
   */
  format: { type: "binary" } | { type: "tar.gz"; pick(entry: string): string | undefined };
  /** Where a person installs it by hand (printed with every failure). */
  manual: string;
  /** Operating systems the publisher releases it for (all of cto's when absent). */
  os?: Platform["os"][];
}

/** The Pulumi CLI archive's own files (`pulumi/pulumi`, `pulumi/pulumi-language-nodejs`, …), not its docs. */
function pickPulumi(entry: string): string | undefined {
  const m = /^pulumi\/(pulumi[a-z0-9.-]*)$/.exec(entry);
  return m?.[1];
}

const pulumiArch = (p: Platform): string => (p.arch === "amd64" ? "x64" : "arm64");

export const TOOLS: Record<ToolId, ToolSpec> = {
  pulumi: {
    id: "pulumi",
    name: "Pulumi CLI",
    main: "pulumi",
    officialBase: (v) => `https://github.com/pulumi/pulumi/releases/download/v${v}`,
    asset: (v, p) => `pulumi-v${v}-${p.os}-${pulumiArch(p)}.tar.gz`,
    checksumFile: (v) => `pulumi-${v}-checksums.txt`,
    format: { type: "tar.gz", pick: pickPulumi },
    manual: "https://www.pulumi.com/docs/iac/download-install/ (take the archive of the pinned version)",
  },
  "pulumi-kubernetes": {
    id: "pulumi-kubernetes",
    name: "Pulumi kubernetes plugin",
    main: "pulumi-resource-kubernetes",
    officialBase: (v) => `https://github.com/pulumi/pulumi-kubernetes/releases/download/v${v}`,
    asset: (v, p) => `pulumi-resource-kubernetes-v${v}-${p.os}-${p.arch}.tar.gz`,
    checksumFile: (v) => `pulumi-kubernetes_${v}_checksums.txt`,
    format: {
      type: "tar.gz",
      pick: (entry) =>
        entry.replace(/^\.\//, "") === "pulumi-resource-kubernetes" ? "pulumi-resource-kubernetes" : undefined,
    },
    manual: "pulumi plugin install resource kubernetes <version>, then copy it next to the pulumi CLI cto uses",
  },
  kubectl: {
    id: "kubectl",
    name: "kubectl",
    main: "kubectl",
    officialBase: (v, p) => `https://dl.k8s.io/release/v${v}/bin/${p.os}/${p.arch}`,
    asset: () => "kubectl",
    checksumFile: () => "kubectl.sha256",
    format: { type: "binary" },
    manual: "https://kubernetes.io/docs/tasks/tools/#kubectl",
  },
  kind: {
    id: "kind",
    name: "kind",
    main: "kind",
    officialBase: (v) => `https://github.com/kubernetes-sigs/kind/releases/download/v${v}`,
    asset: (_v, p) => `kind-${p.os}-${p.arch}`,
    checksumFile: (_v, p) => `kind-${p.os}-${p.arch}.sha256sum`,
    format: { type: "binary" },
    manual: "https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
  },
  minikube: {
    id: "minikube",
    name: "minikube",
    main: "minikube",
    officialBase: (v) => `https://github.com/kubernetes/minikube/releases/download/v${v}`,
    asset: (_v, p) => `minikube-${p.os}-${p.arch}`,
    checksumFile: (_v, p) => `minikube-${p.os}-${p.arch}.sha256`,
    format: { type: "binary" },
    manual: "https://minikube.sigs.k8s.io/docs/start/",
  },
  // k3s: the single binary of the release (no install script), Linux only. Versions carry the
  // k3s suffix (1.32.1+k3s1), as in the release tag v1.32.1+k3s1. Running it as a server needs
  // root: cto prints those commands (components/cluster/local-k3s.ts), it never runs sudo.
  k3s: {
    id: "k3s",
    name: "k3s",
    main: "k3s",
    officialBase: (v) => `https://github.com/k3s-io/k3s/releases/download/v${v}`,
    asset: (_v, p) => (p.arch === "amd64" ? "k3s" : `k3s-${p.arch}`),
    checksumFile: (_v, p) => `sha256sum-${p.arch}.txt`,
    format: { type: "binary" },
    manual: "https://docs.k3s.io/installation/airgap (the k3s binary of the pinned release)",
    os: ["linux"],
  },
};

/** This machine's platform, or undefined when cto has no downloads for it (e.g. Windows). */
export function currentPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): Platform | undefined {
  const os = platform === "linux" || platform === "darwin" ? platform : undefined;
  const a = arch === "x64" ? "amd64" : arch === "arm64" ? "arm64" : undefined;
  return os && a ? { os, arch: a } : undefined;
}

export const platformKey = (p: Platform): PlatformKey => `${p.os}-${p.arch}`;

/** The environment variable holding one tool's mirror. */
export const mirrorVariable = (id: ToolId): string => `CTO_TOOLS_MIRROR_${id.toUpperCase().replace(/-/g, "_")}`;

/** The release directory to download from, after the mirror settings. */
export function releaseBase(spec: ToolSpec, version: string, p: Platform, env: NodeJS.ProcessEnv): string {
  const own = env[mirrorVariable(spec.id)];
  if (own) {
    return own
      .replace(/\{version\}/g, version)
      .replace(/\{os\}/g, p.os)
      .replace(/\{arch\}/g, p.arch)
      .replace(/\/+$/, "");
  }
  if (env.CTO_TOOLS_MIRROR)
    return `${env.CTO_TOOLS_MIRROR.replace(/\/+$/, "")}/${spec.id}/${version}/${platformKey(p)}`;
  return spec.officialBase(version, p);
}

/** The download and checksum URLs of one tool version for a platform. */
export function toolUrls(
  spec: ToolSpec,
  version: string,
  p: Platform,
  env: NodeJS.ProcessEnv,
): { asset: string; url: string; checksumUrl: string; mirrored: boolean } {
  const base = releaseBase(spec, version, p, env);
  const asset = spec.asset(version, p);
  return {
    asset,
    url: `${base}/${asset}`,
    checksumUrl: `${base}/${spec.checksumFile(version, p)}`,
    mirrored: base !== spec.officialBase(version, p),
  };
}
