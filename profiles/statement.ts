/**
 * The requirement `cto profiles` states for a profile on a cluster kind: the requirement the
 * resolver gives a plan of that profile with its default agents and every feature it allows (the
 * same function, `requirements.ts`, so the statement and `cto doctor` cannot disagree). The plan
 * is resolved from a stand-in cto.yaml that only fills in what those features need to validate
 * (a domain, a backup bucket, a mail server); none of it affects what the plan requests.
 */
import { ctoConfigSchema } from "../config/schema.js";
import { defaultAgents } from "./default-agents.js";
import type { Catalog } from "./load.js";
import type { ProfileSummary } from "./plan.js";
import type { ClusterKind } from "./requirements.js";
import { resolvePlan } from "./resolve.js";

/** Cluster kinds that run on this machine, in the order `cto profiles show` lists them. */
export const LOCAL_CLUSTER_KINDS: readonly ClusterKind[] = ["kind", "k3s", "minikube", "simulated"];
/** The kind `cto profiles list` states figures for: `cto init`'s default provider. */
export const STATED_CLUSTER_KIND: ClusterKind = "kind";

/** Whether a cluster of this kind can run highly available as the stand-in builds it. */
function highAvailabilityPossible(kind: ClusterKind): boolean {
  return kind === "simulated" || kind === "existing";
}

/** The stand-in cto.yaml (already parsed) for `profile` on `kind`, every allowed feature on. */
export function standInConfig(catalog: Catalog, profile: string, kind: ClusterKind, features?: string[]) {
  const spec = catalog.profiles[profile];
  if (!spec) throw new Error(`no profile named ${profile}`);
  const on =
    features ?? spec.allowed_features.filter((f) => f !== "high_availability" || highAvailabilityPossible(kind));
  return ctoConfigSchema.parse({
    version: "0.1.0",
    profile,
    platform: { name: "stand-in", domain: "platform.example" },
    github: { organization: "example", repository: "platform" },
    cluster: { provider: kind, ...(kind === "simulated" ? { simulated: { nodes: 3 } } : {}) },
    features: Object.fromEntries(spec.allowed_features.map((f) => [f, on.includes(f)])),
    agents: Object.fromEntries(defaultAgents(profile).map((a) => [a, { enabled: true }])),
    backup: { bucket: "backups", endpoint: "https://s3.example" },
    mail: { smtp_host: "smtp.example", from: "cto@platform.example" },
  });
}

/** The requirement stated for `profile` on `kind`. */
export async function statedRequirements(
  catalog: Catalog,
  profile: string,
  kind: ClusterKind = STATED_CLUSTER_KIND,
): Promise<ProfileSummary["requirements"]> {
  const { plan } = await resolvePlan(
    standInConfig(catalog, profile, kind),
    { environment: "dev", home: "/nonexistent-cto-home", env: {} },
    catalog,
  );
  return plan.profile.requirements;
}
