/**
 * The CustomResourceDefinitions the platform's charts installed, removed by `cto destroy`.
 *
 * Helm leaves CRDs behind on uninstall on purpose: the Argo charts mark theirs
 * `helm.sh/resource-policy: keep` (`crds.keep: true` by default), because deleting a CRD deletes
 * every custom resource of its kind. `cto destroy` means "leave nothing of ours", so after the
 * engine has removed the releases, cto deletes the CRDs that carry the Helm ownership annotations
 * of one of the plan's releases (release name = component name, in the component's namespace) —
 * unless the user asks to keep them (`cto destroy --keep-crds`). CRDs of other software on the
 * cluster carry other annotations and are never touched. A simulated cluster is deleted whole, so
 * nothing is done there.
 */
import type { Plan } from "../profiles/plan.js";
import { Kubectl } from "./diagnose/kubectl.js";
import { clusterKubeconfig } from "./kube-target.js";

interface CrdList {
  items: { metadata: { name: string; annotations?: Record<string, string> } }[];
}

/** Names of the CRDs (from `kubectl get crd -o json`) that one of the plan's Helm releases installed. */
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

export interface CrdCleanup {
  deleted: string[];
  /** Why nothing could be deleted (cluster unreachable, ...), if so. */
  error?: string;
}

/** Deletes the plan's CRDs from its cluster (see the file comment); never throws. */
export async function deletePlatformCrds(plan: Plan, env: NodeJS.ProcessEnv): Promise<CrdCleanup> {
  if (plan.cluster.provider === "simulated") return { deleted: [] };
  const kubectl = new Kubectl(clusterKubeconfig(plan, env), { requestTimeoutSeconds: 60 });
  const list = await kubectl.json<CrdList>(["get", "customresourcedefinitions", "-o", "json"]);
  if (!list.ok) return { deleted: [], error: list.error.message };
  const names = platformCrdNames(list.value, plan);
  if (names.length === 0) return { deleted: [] };
  const deleted = await kubectl.text(["delete", "customresourcedefinitions", "--ignore-not-found", ...names]);
  return deleted.ok ? { deleted: names } : { deleted: [], error: deleted.error.message };
}
