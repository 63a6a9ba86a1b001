/**
 * Where the stacks' state lives.
 *
 * Order: the plan's `state.backendUrl` (cto.yaml `state.backend_url`), then `PULUMI_BACKEND_URL`,
 * then the embedded default `file://<ctoHome>/state`, which needs nothing else running. Any URL
 * Pulumi understands is accepted for teams: `s3://`, `gs://`, `azblob://` (object storage, the
 * "diy" backend, like `file://`) or `https://` (Pulumi Cloud or a self-hosted service).
 *
 * A `file://` backend is handed to the engine with `?metadata=skip`. The storage library behind it
 * writes each state file atomically (temporary file, then rename), but it also keeps a JSON
 * "sidecar" (`dev.json.attrs`) per file, written in place on every checkpoint; a run killed while
 * writing one left it empty, and every later command failed with "failed to load checkpoint: EOF"
 * (found by the interrupted-runs drill). Nothing reads those attributes back, so they are no longer
 * written, and an empty one left by an older run is removed before the engine starts.
 */
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { UserError } from "../config/errors.js";
import { ctoHome } from "../config/paths.js";
import type { Plan } from "../profiles/plan.js";
import { expandHome } from "./home-path.js";

export type BackendKind = "file" | "object-storage" | "service";

export interface Backend {
  /** The backend's URL: what the user sees, and what identifies it (workspace directories). */
  url: string;
  kind: BackendKind;
  /** Where the URL came from, for messages. */
  source: "cto.yaml state.backend_url" | "PULUMI_BACKEND_URL" | "default";
  /** For `file://` only: the directory (`.pulumi/` lives below it). */
  dir?: string;
}

const SCHEMES: Record<string, BackendKind> = {
  file: "file",
  s3: "object-storage",
  gs: "object-storage",
  azblob: "object-storage",
  https: "service",
  http: "service",
};

/** `file://~/x` → /home/u/x; `file://rel` → absolute. Pulumi itself does not expand `~`. */
export function fileBackendDir(url: string, home = homedir()): string {
  const rest = decodeURIComponent(url.slice("file://".length).replace(/\?.*$/, ""));
  return path.resolve(expandHome(rest === "" ? "~" : rest, home));
}

/** The backend for a plan; throws a `UserError` for a URL Pulumi cannot use. */
export function resolveBackend(
  plan: Pick<Plan, "state">,
  options: { env?: NodeJS.ProcessEnv; home?: string } = {},
): Backend {
  const env = options.env ?? process.env;
  const home = env.HOME || options.home || homedir();
  const fromPlan = plan.state.backendUrl;
  const fromEnv = env.PULUMI_BACKEND_URL || undefined;
  const source = fromPlan ? "cto.yaml state.backend_url" : fromEnv ? "PULUMI_BACKEND_URL" : "default";
  const raw = fromPlan ?? fromEnv ?? `file://${path.join(ctoHome(env), "state")}`;
  const scheme = /^([a-z0-9]+):\/\//.exec(raw)?.[1] ?? "";
  const kind = SCHEMES[scheme];
  if (!kind) {
    throw new UserError(`unsupported state backend URL "${raw}" (from ${source})`, {
      hint: "use file://DIR, s3://BUCKET, gs://BUCKET, azblob://CONTAINER or https://api.pulumi.com in state.backend_url",
    });
  }
  if (kind !== "file") return { url: raw, kind, source };
  const dir = fileBackendDir(raw, home);
  return { url: `file://${dir}`, kind, source, dir };
}

/** The URL handed to the engine as `PULUMI_BACKEND_URL` (a `file://` one without metadata sidecars). */
export function engineBackendUrl(backend: Backend): string {
  return backend.kind === "file" ? `${backend.url}?metadata=skip` : backend.url;
}

/**
 * Create the directory of a `file://` backend (Pulumi refuses a missing one) and remove the empty
 * metadata sidecars a killed run can leave next to state and lock files (see the file comment).
 */
export async function prepareBackend(backend: Backend): Promise<void> {
  if (!backend.dir) return;
  await mkdir(backend.dir, { recursive: true, mode: 0o700 });
  await removeEmptySidecars(path.join(backend.dir, ".pulumi", "stacks"));
  await removeEmptySidecars(path.join(backend.dir, ".pulumi", "locks"));
}

/** Removes every empty `*.attrs` file under `dir` (missing directories are fine). */
export async function removeEmptySidecars(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries.filter((e) => e.endsWith(".attrs"))) {
    const file = path.join(dir, entry);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile() && info.size === 0) {
      await rm(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}
