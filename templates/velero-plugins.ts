/**
 * Which version of the Velero object-store plugins (aws, gcp, microsoft-azure; released together)
 * pairs with the Velero a velero chart runs. Pairs follow the plugins' compatibility tables: plugin
 * v1.11.x ↔ Velero 1.15.x, v1.14.x ↔ Velero 1.18.x (the v1.14 line was built against 1.18.x;
 * the READMEs' tables end at v1.13 ↔ 1.17 without a row for 1.18).
 */

/** Velero chart major version → the Velero it runs and the plugin version paired with it. */
export const VELERO_PLUGINS: Record<number, { velero: string; plugins: string }> = {
  8: { velero: "1.15", plugins: "v1.11.0" },
  12: { velero: "1.18", plugins: "v1.14.1" },
};

/** The plugin version for a velero chart version; throws naming the known pairs when there is none. */
export function veleroPluginVersion(chartVersion: string): string {
  const major = Number(/^v?(\d+)\./.exec(chartVersion)?.[1]);
  const pair = VELERO_PLUGINS[major];
  if (!pair) {
    const known = Object.entries(VELERO_PLUGINS)
      .map(([m, p]) => `${m}.x (Velero ${p.velero}) → ${p.plugins}`)
      .join(", ");
    throw new Error(
      `no Velero plugin version is known for velero chart ${chartVersion} (known: ${known}); pin a velero chart of a platform release, or add its pair to templates/velero-plugins.ts`,
    );
  }
  return pair.plugins;
}
