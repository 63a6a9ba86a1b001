/**
 * Plans for every platform release × profile × feature mix, resolved from cto.yaml documents by
 * the real resolver and catalog (no hand-written plans), for the tests that check what cto's
 * templates render against the charts (values contract, labels).
 *
 * Feature mixes per profile: its defaults, every allowed feature on, every allowed feature off,
 * and each allowed feature flipped alone; each with and without an ingress controller; with backup
 * on, once per backup provider.
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseConfigText } from "../../config/load.js";
import { loadCatalog, type Catalog } from "../../profiles/load.js";
import type { Plan } from "../../profiles/plan.js";
import { resolvePlan } from "../../profiles/resolve.js";
import { FEATURE_NAMES, type FeatureName } from "../../profiles/schema.js";

export interface MatrixPlan {
  /** e.g. "0.3.0 production monitoring=off nginx backup=azure". */
  label: string;
  plan: Plan;
}

const BACKUP: Record<string, string> = {
  aws: "{ provider: aws, bucket: acme-backups, region: us-east-1 }",
  gcp: "{ provider: gcp, bucket: acme-backups }",
  azure: "{ provider: azure, bucket: acme-backups, resource_group: acme-rg, storage_account: acmebackups }",
  "s3-compatible": "{ provider: s3-compatible, bucket: acme-backups, endpoint: https://s3.acme.example }",
};

function configText(
  release: string,
  profile: string,
  features: Record<string, boolean>,
  ingress: string,
  backup: string,
) {
  const flags = Object.entries(features)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  return `version: "0.1.0"
release: "${release}"
profile: ${profile}
platform: { name: acme-platform, domain: acme.example, ingress_type: ${ingress} }
github: { organization: acme, repository: platform }
agents:
  rex: { cli: claude, resources: { cpu: 1, memory: 2Gi } }
cluster: { provider: existing }
features: { ${flags} }
backup: ${BACKUP[backup]}
mail: { smtp_host: smtp.acme.example, from: cto@acme.example }
`;
}

/** Every plan of the matrix (see the file comment). */
export async function planMatrix(catalog?: Catalog): Promise<MatrixPlan[]> {
  const cat = catalog ?? (await loadCatalog());
  const home = await mkdtemp(path.join(os.tmpdir(), "cto-matrix-"));
  const out: MatrixPlan[] = [];
  for (const release of Object.keys(cat.releases).sort()) {
    for (const [name, profile] of Object.entries(cat.profiles)) {
      const defaults = Object.fromEntries(FEATURE_NAMES.map((f) => [f, profile.features[f]])) as Record<
        FeatureName,
        boolean
      >;
      const allowed = profile.allowed_features;
      const mixes: Array<[string, Record<string, boolean>]> = [
        ["defaults", defaults],
        ["all on", { ...defaults, ...Object.fromEntries(allowed.map((f) => [f, true])) }],
        ["all off", { ...defaults, ...Object.fromEntries(allowed.map((f) => [f, false])) }],
        ...allowed.map((f): [string, Record<string, boolean>] => [
          `${f}=${defaults[f] ? "off" : "on"}`,
          { ...defaults, [f]: !defaults[f] },
        ]),
      ];
      for (const [mix, features] of mixes) {
        for (const ingress of ["nginx", "none"]) {
          for (const backup of features.backup ? Object.keys(BACKUP) : ["s3-compatible"]) {
            const text = configText(release, name, features, ingress, backup);
            const label = `${release} ${name} ${mix} ${ingress}${features.backup ? ` backup=${backup}` : ""}`;
            try {
              const { plan } = await resolvePlan(
                parseConfigText(text, "cto.yaml", { env: {} }),
                { environment: "dev", home, baseDir: home, env: { HOME: home } },
                cat,
              );
              out.push({ label, plan });
            } catch (error) {
              throw new Error(`${label}: ${(error as Error).message}`);
            }
          }
        }
      }
    }
  }
  return out;
}
