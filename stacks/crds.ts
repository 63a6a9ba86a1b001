/**
 * The CustomResourceDefinitions the platform's charts installed, removed by `cto destroy`.
 *
 * Helm leaves CRDs behind on uninstall, in two ways:
 * - CRDs rendered from a chart's templates but marked `helm.sh/resource-policy: keep` (the Argo
 *   charts do, `crds.keep: true` by default, because deleting a CRD deletes every custom resource
 *   of its kind). They carry the Helm ownership annotations of their release (release name =
 *   component name, in the component's namespace), so they are found after the engine's destroy.
 * - CRDs a chart ships in its `crds/` directory (kube-prometheus-stack, velero). They carry no
 *   label or annotation; their names come from the release records (`chart-crds.ts`), read before
 *   the engine's destroy removes the records, and kept on disk until deleted (`crd-ledger.ts`). Only
 *   those the release created are deleted: a CRD older than the release's first install existed
 *   before (Helm skipped it) and belongs to someone else.
 * - CRDs in the `crds/` directory of a subchart (kube-prometheus-stack's `charts/crds`). Helm does
 *   not store subcharts in the release record, so for a chart with dependencies the names are the
 *   cluster's CRDs of the groups/names the component is known to install (`COMPONENT_CRDS`) that
 *   carry no Helm annotations; the same first-install rule then decides which are the release's.
 * `cto destroy` means "leave nothing of ours", so it deletes both — unless the user asks to keep
 * them (`cto destroy --keep-crds`). CRDs of other software on the cluster are never touched. This
 * is for clusters cto did not create (provider `existing`): the clusters cto creates (simulated,
 * kind, minikube, k3s) are deleted whole by the same destroy, so nothing is left to do there.
 */
import type { Plan } from "../profiles/plan.js";
import {
  createdByInstall,
  decodeHelmReleaseSecret,
  latestReleaseSecrets,
  releaseCrds,
  type HelmReleaseRecord,
  type ReleaseCrds,
} from "./chart-crds.js";
import { crdBelongs } from "./diagnose/health.js";
import { Kubectl } from "./diagnose/kubectl.js";
import { clusterKubeconfig } from "./kube-target.js";

export interface CrdList {
  items: { metadata: { name: string; creationTimestamp?: string; annotations?: Record<string, string> } }[];
}

/**
 * One line per CRD: name, creation time, Helm release name and namespace annotations. Only these
 * fields are read: CRDs carry their whole schema, and a cluster's full `-o json` list can run to
 * many MiB, more than cto reads from a kubectl.
 */
const CRD_JSONPATH =
  '{range .items[*]}{.metadata.name}{"\\t"}{.metadata.creationTimestamp}{"\\t"}' +
  '{.metadata.annotations.meta\\.helm\\.sh/release-name}{"\\t"}' +
  '{.metadata.annotations.meta\\.helm\\.sh/release-namespace}{"\\n"}{end}';

/** The CRD list (the fields read here) from the lines `CRD_JSONPATH` prints. */
export function parseCrdListing(text: string): CrdList {
  const items: CrdList["items"] = [];
  for (const line of text.split("\n")) {
    const [name = "", creationTimestamp = "", release = "", namespace = ""] = line.split("\t");
    if (name.trim() === "") continue;
    const annotations = release
      ? { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace }
      : undefined;
    items.push({ metadata: { name: name.trim(), creationTimestamp, annotations } });
  }
  return { items };
}

/** Names of the CRDs (see `parseCrdListing`) that one of the plan's Helm releases installed. */
export function platformCrdNames(list: CrdList, plan: Pick<Plan, "components">): string[] {
  const releases = new Set(plan.components.map((c) => `${c.namespace}/${c.name}`));
  return list.items
    .filter((crd) => {
      const a = crd.metadata.annotations ?? {};
      const name = a["meta.helm.sh/release-name"];
      return name !== undefined && releases.has(`${a["meta.helm.sh/release-namespace"] ?? ""}/${name}`);
    })
    .map((crd) => crd.metadata.name)
    .sort();
}

/**
 * The recorded `crds/` CRDs present in the cluster (see `parseCrdListing`): those one of
 * the recorded releases created, and those that existed before it (left alone), each sorted.
 */
export function recordedCrdNames(list: CrdList, recorded: ReleaseCrds[]): { created: string[]; preexisting: string[] } {
  const created: string[] = [];
  const preexisting: string[] = [];
  for (const crd of list.items) {
    const owners = recorded.filter((r) => r.crds.includes(crd.metadata.name));
    if (owners.length === 0) continue;
    const ours = owners.some((r) => createdByInstall(crd.metadata.creationTimestamp ?? "", r.firstDeployed));
    (ours ? created : preexisting).push(crd.metadata.name);
  }
  return { created: created.sort(), preexisting: preexisting.sort() };
}

/** Whether destroy cleans up CRDs on the plan's cluster: only on one cto did not create (see above). */
export function cleansCrds(plan: Pick<Plan, "cluster">): boolean {
  return plan.cluster.provider === "existing";
}

function kubectlFor(plan: Plan, env: NodeJS.ProcessEnv): Kubectl {
  return new Kubectl(clusterKubeconfig(plan, env), { requestTimeoutSeconds: 60 });
}

/** One line per Helm release Secret: release, revision, Secret name, type (see `latestReleaseSecrets`). */
const RELEASE_SECRETS_JSONPATH =
  '{range .items[*]}{.metadata.labels.name}{"\\t"}{.metadata.labels.version}{"\\t"}{.metadata.name}{"\\t"}{.type}{"\\n"}{end}';

/**
 * The `crds/` CRDs of the plan's Helm releases, from the latest release record of each in the
 * cluster; never throws. Nothing unless `cleansCrds`. The records are listed by name first and
 * read one at a time: each holds its whole chart (up to Kubernetes' 1 MiB per Secret), and a
 * namespace's full list with every revision would overflow what cto reads from kubectl.
 */
export async function collectChartCrds(
  plan: Plan,
  env: NodeJS.ProcessEnv,
): Promise<{ releases: ReleaseCrds[]; error?: string }> {
  if (!cleansCrds(plan)) return { releases: [] };
  const kubectl = kubectlFor(plan, env);
  const releases: ReleaseCrds[] = [];
  let unannotated: string[] | undefined;
  /** CRDs without Helm annotations (read once, only for a chart with subcharts). */
  const unannotatedCrds = async (): Promise<string[]> => {
    if (unannotated) return unannotated;
    const listing = await kubectl.text(["get", "customresourcedefinitions", `-o=jsonpath=${CRD_JSONPATH}`]);
    unannotated = listing.ok
      ? parseCrdListing(listing.value)
          .items.filter((c) => !c.metadata.annotations)
          .map((c) => c.metadata.name)
      : [];
    return unannotated;
  };
  for (const namespace of [...new Set(plan.components.map((c) => c.namespace))].sort()) {
    const names = new Set(plan.components.filter((c) => c.namespace === namespace).map((c) => c.name));
    const listing = await kubectl.text([
      ...["get", "secrets", "-n", namespace, "-l", "owner=helm"],
      `-o=jsonpath=${RELEASE_SECRETS_JSONPATH}`,
    ]);
    if (!listing.ok) return { releases, error: listing.error.message };
    for (const [release, secret] of latestReleaseSecrets(listing.value, names)) {
      const data = await kubectl.text(["get", "secret", secret, "-n", namespace, "-o=jsonpath={.data.release}"]);
      if (!data.ok) return { releases, error: data.error.message };
      let record: HelmReleaseRecord;
      try {
        record = decodeHelmReleaseSecret(data.value.trim());
      } catch {
        continue; // a record Helm could not read either; its release's CRDs stay unknown
      }
      const entry = releaseCrds(`${namespace}/${release}`, [record]);
      const component = plan.components.find((c) => c.name === release && c.namespace === namespace);
      if (entry && component && (record.chart?.metadata?.dependencies ?? []).length > 0) {
        const fromSubcharts = (await unannotatedCrds()).filter((crd) => crdBelongs(component, crd));
        entry.crds = [...new Set([...entry.crds, ...fromSubcharts])].sort();
      }
      if (entry && entry.crds.length > 0) releases.push(entry);
    }
  }
  return { releases };
}

export interface CrdCleanup {
  deleted: string[];
  /** `crds/` CRDs of the charts that existed before their release was installed: left alone. */
  preexisting?: string[];
  /** Why nothing could be deleted (cluster unreachable, ...), if so. */
  error?: string;
}

/**
 * Deletes the plan's CRDs from its cluster (see the file comment): those annotated as its
 * releases', and the `recorded` `crds/` CRDs its releases created. Never throws.
 */
export async function deletePlatformCrds(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  recorded: ReleaseCrds[] = [],
): Promise<CrdCleanup> {
  if (!cleansCrds(plan)) return { deleted: [] };
  const kubectl = kubectlFor(plan, env);
  const listing = await kubectl.text(["get", "customresourcedefinitions", `-o=jsonpath=${CRD_JSONPATH}`]);
  if (!listing.ok) return { deleted: [], error: listing.error.message };
  const list = parseCrdListing(listing.value);
  const { created, preexisting } = recordedCrdNames(list, recorded);
  const names = [...new Set([...platformCrdNames(list, plan), ...created])].sort();
  const others = preexisting.filter((n) => !names.includes(n));
  const kept = others.length > 0 ? { preexisting: others } : {};
  if (names.length === 0) return { deleted: [], ...kept };
  const deleted = await kubectl.text(["delete", "customresourcedefinitions", "--ignore-not-found", ...names]);
  return deleted.ok ? { deleted: names, ...kept } : { deleted: [], ...kept, error: deleted.error.message };
}
