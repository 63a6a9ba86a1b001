/**
 * Whether `cto up` manages the GitHub webhook on this machine. The webhook is a resource of the
 * `github` Pulumi plugin, which cannot always be had (offline machines: it cannot be built from
 * the Go module proxy). The lifecycle and the prerequisite checks ask the same question here, so
 * `cto doctor` never demands a GitHub token for a webhook that `cto up` will not create.
 */
import { access, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ctoHome } from "../../config/paths.js";
import { toolchainBinDir } from "../../config/toolchain.js";
import type { Plan } from "../../profiles/plan.js";

const PLUGIN = "pulumi-resource-github";

/**
 * True when the webhook is managed: `CTO_GITHUB_WEBHOOKS=true|false` decides when set; otherwise
 * when the plugin is next to the Pulumi CLI (`searchDirs`) or installed under `$PULUMI_HOME`, or
 * when Pulumi may still download it (automatic plugin acquisition on, and a real cluster: a
 * simulated cluster is for offline use).
 */
export async function githubWebhooksManaged(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  searchDirs: string[],
): Promise<boolean> {
  const forced = env.CTO_GITHUB_WEBHOOKS?.toLowerCase();
  if (forced === "true" || forced === "1") return true;
  if (forced === "false" || forced === "0") return false;
  for (const dir of searchDirs.filter(Boolean)) {
    const found = await access(path.join(dir, PLUGIN)).then(
      () => true,
      () => false,
    );
    if (found) return true;
  }
  const plugins = path.join(env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"), "plugins");
  const installed = await readdir(plugins).catch(() => [] as string[]);
  if (installed.some((d) => d.startsWith("resource-github-"))) return true;
  return env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION !== "true" && plan.cluster.provider !== "simulated";
}

/** Where a Pulumi CLI (and plugins beside it) may be, in the order the lifecycle looks. */
export function pulumiSearchDirs(env: NodeJS.ProcessEnv): string[] {
  return [
    env.CTO_PULUMI_BIN_DIR ?? "",
    path.join(ctoHome(env), "bin"),
    toolchainBinDir(env) ?? "",
    ...(env.PATH ?? "").split(path.delimiter),
  ].filter((d) => d !== "");
}
