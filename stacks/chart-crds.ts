/**
 * Which CRDs a Helm release's chart ships in its `crds/` directory, read from the release record
 * Helm keeps in the cluster — pure functions, no cluster access (see `crds.ts` for that).
 *
 * Helm installs the files under `crds/` before the release's templates, without any label or
 * ownership annotation, keeps them out of the release manifest and never deletes them. The chart
 * itself, `crds/` files included, is stored in every release record (Secret
 * `sh.helm.release.v1.<release>.v<revision>`, data `release`: base64 of gzip of the JSON release),
 * so the record is where cto learns their names. Helm does not store a chart's subcharts in the
 * record, so CRDs a subchart ships are not found here.
 *
 * Helm skips a `crds/` CRD that already exists, so only a CRD created by the release's first
 * install is the release's: one created no earlier than `info.first_deployed` minus
 * `CRD_INSTALL_WINDOW_SECONDS` (Helm creates the CRDs, waits up to 60 s for them to be
 * established, and only then records the release with its first-deployed time).
 */
import { gunzipSync } from "node:zlib";
import YAML from "yaml";

/** How long before a release's `first_deployed` its `crds/` CRDs may have been created (see above). */
export const CRD_INSTALL_WINDOW_SECONDS = 60;

/** The parts of a decoded Helm release record (Helm's `release.Release` JSON) read here. */
export interface HelmReleaseRecord {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { first_deployed?: string; status?: string };
  chart?: {
    metadata?: { name?: string; version?: string; dependencies?: { name?: string; condition?: string }[] | null };
    files?: { name: string; data: string }[] | null;
  };
}

/** The `crds/` CRDs of one release, as collected before the release is uninstalled. */
export interface ReleaseCrds {
  /** `<namespace>/<release>`. */
  release: string;
  /** The release's `info.first_deployed` (RFC 3339). */
  firstDeployed: string;
  /** CRD names (`<plural>.<group>`), sorted. */
  crds: string[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Decodes the `release` value of a Helm release Secret as `kubectl get -o json` shows it (the
 * Secret's own base64 around Helm's base64 of gzipped JSON; Helm also reads records stored
 * without gzip, so those are accepted too). Throws when the value is not a release record.
 */
export function decodeHelmReleaseSecret(secretData: string): HelmReleaseRecord {
  const helmText = Buffer.from(secretData, "base64").toString("utf8");
  let bytes = Buffer.from(helmText, "base64");
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) bytes = gunzipSync(bytes);
  const record = JSON.parse(bytes.toString("utf8")) as unknown;
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new Error("not a Helm release record (expected a JSON object)");
  }
  return record as HelmReleaseRecord;
}

/**
 * The Secret holding the latest record of each of `releases`, from lines of
 * `<release>\t<revision>\t<secret name>\t<type>` (a jsonpath listing of Secrets labelled
 * `owner=helm`); other releases and Secrets not of type `helm.sh/release.v1` are skipped.
 */
export function latestReleaseSecrets(listing: string, releases: Set<string>): Map<string, string> {
  const latest = new Map<string, { revision: number; secret: string }>();
  for (const line of listing.split("\n")) {
    const [release = "", revision = "", secret = "", type = ""] = line.trim().split("\t");
    const n = Number(revision);
    if (type !== "helm.sh/release.v1" || !releases.has(release) || secret === "" || !Number.isInteger(n)) continue;
    const prev = latest.get(release);
    if (!prev || prev.revision < n) latest.set(release, { revision: n, secret });
  }
  return new Map([...latest].map(([release, { secret }]) => [release, secret]));
}

/** Helm's rule for which `crds/` files it installs: `.yaml`, `.yml` or `.json`, any case. */
function isCrdManifest(file: string): boolean {
  return file.startsWith("crds/") && /\.(ya?ml|json)$/i.test(file);
}

/** Names of the CustomResourceDefinitions in one manifest (multi-document YAML or JSON, `List`s opened). */
export function crdNamesInManifest(text: string): string[] {
  const names: string[] = [];
  const visit = (doc: unknown): void => {
    if (typeof doc !== "object" || doc === null) return;
    const o = doc as { kind?: unknown; metadata?: { name?: unknown }; items?: unknown };
    if (o.kind === "CustomResourceDefinition" && typeof o.metadata?.name === "string") names.push(o.metadata.name);
    else if (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items)) o.items.forEach(visit);
  };
  for (const doc of YAML.parseAllDocuments(text)) {
    // A file Helm could not parse would have failed the install; skip it rather than fail destroy.
    if (doc.errors.length === 0) visit(doc.toJS());
  }
  return names;
}

/** Names of the CRDs in the `crds/` files of a decoded release record's chart, sorted and unique. */
export function crdNamesInRecord(record: HelmReleaseRecord): string[] {
  const names = new Set<string>();
  for (const file of record.chart?.files ?? []) {
    if (!isCrdManifest(file.name)) continue;
    for (const name of crdNamesInManifest(Buffer.from(file.data ?? "", "base64").toString("utf8"))) names.add(name);
  }
  return [...names].sort();
}

/**
 * The `crds/` CRDs of one release from records of it (several: every CRD any of their charts
 * ships, the earliest first-deployed time); `undefined` without a record with a first-deployed time.
 */
export function releaseCrds(release: string, records: HelmReleaseRecord[]): ReleaseCrds | undefined {
  if (records.length === 0) return undefined;
  const crds = new Set(records.flatMap(crdNamesInRecord));
  const firstDeployed = records
    .map((r) => r.info?.first_deployed)
    .filter((t): t is string => typeof t === "string" && !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  if (firstDeployed === undefined) return undefined;
  return { release, firstDeployed, crds: [...crds].sort() };
}

/**
 * Whether a CRD created at `creationTimestamp` was created by the install that first deployed
 * at `firstDeployed`. Kubernetes keeps creation times to the second, so `firstDeployed` is
 * truncated to its second before the window is applied.
 */
export function createdByInstall(creationTimestamp: string, firstDeployed: string): boolean {
  const created = Date.parse(creationTimestamp);
  const deployed = Date.parse(firstDeployed);
  if (Number.isNaN(created) || Number.isNaN(deployed)) return false;
  const deployedSecond = Math.floor(deployed / 1000) * 1000;
  return created >= deployedSecond - CRD_INSTALL_WINDOW_SECONDS * 1000;
}
