/**
 * Versions `cto` requires, in one place, and a tolerant version parser.
 *
 * Supported Kubernetes range: **1.28 to 1.36**. 1.28 is the oldest minor the bundled charts
 * (Argo CD 3, kube-prometheus-stack, cert-manager) still support; 1.36 is the newest one `cto` is
 * tested against (the simulated cluster runs 1.36.1). An older server is refused; a newer one is
 * allowed with a warning.
 */

/** The Pulumi CLI the project pins (package.json's `@pulumi/pulumi`, toolchain/versions.env). */
export const PULUMI_CLI_VERSION = "3.276.0";
/** The kubernetes plugin matching `@pulumi/kubernetes` in package.json (a unit test keeps them equal). */
export const PULUMI_KUBERNETES_VERSION = "4.32.0";
/** package.json `engines.node`. A unit test keeps the two equal. */
export const MIN_NODE_VERSION = "22.12.0";
export const KUBERNETES_MIN = "1.28.0";
/** Newest minor tested; any patch of it is fine. */
export const KUBERNETES_MAX_TESTED_MINOR = "1.36";
/** kind 0.20 is the first release whose node images run Kubernetes 1.28+ with cgroup v2 everywhere. */
export const MIN_KIND_VERSION = "0.20.0";
export const MIN_MINIKUBE_VERSION = "1.32.0";
/** kubectl within one minor of the server is what Kubernetes supports; older than this is refused. */
export const MIN_KUBECTL_VERSION = "1.28.0";

/** "v1.32.4-dispatcher" → [1, 32, 4]; "kind v0.27.0 go1.23" → [0, 27, 0]. Undefined if none found. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Negative when a < b, 0 when equal, positive when a > b. Unparseable versions sort first. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** "1.32.4" from any text containing a version, or undefined. */
export function versionString(text: string): string | undefined {
  const v = parseVersion(text);
  return v ? v.join(".") : undefined;
}
