/**
 * Plays Velero's controller on a simulated cluster, where no Velero pod runs (kwok simulates the
 * pods; nothing executes): every Backup and Restore without a phase is set `Completed`, with the
 * timestamps and progress Velero writes, as a patch of the object (Velero's CRDs have no status
 * subresource; Velero itself writes status so). It decides nothing else: the objects it completes
 * are exactly the ones cto created, accepted by the API server against Velero's schema.
 */
import type { Kubectl, KubeList } from "./kwok.js";

const KINDS = ["backups.velero.io", "restores.velero.io"] as const;

export class VeleroStandIn {
  /** `<kind>/<namespace>/<name>` of every object completed, in order. */
  readonly completed: string[] = [];
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly k: Kubectl,
    private readonly pollMs = 500,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      for (const kind of KINDS) {
        const r = await this.k.run("get", kind, "-A", "-o", "json");
        if (r.code !== 0) continue; // the CRDs are not installed yet
        for (const o of (JSON.parse(r.stdout) as KubeList).items) {
          if (o.status?.phase) continue;
          const now = new Date().toISOString();
          const status: Record<string, unknown> = { phase: "Completed", startTimestamp: now, completionTimestamp: now };
          if (kind === "backups.velero.io") {
            status.progress = { itemsBackedUp: 1, totalItems: 1 };
            status.expiration = new Date(Date.now() + 30 * 86_400_000).toISOString();
          }
          const ns = o.metadata.namespace ?? "";
          const patched = await this.k.run(
            ...["patch", kind, "-n", ns, o.metadata.name, "--type", "merge", "-p", JSON.stringify({ status })],
          );
          if (patched.code === 0) this.completed.push(`${kind}/${ns}/${o.metadata.name}`);
        }
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
