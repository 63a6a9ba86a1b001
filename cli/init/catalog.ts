/**
 * What `cto init` needs from the rest of cto: the choices it offers (profiles from the catalogue,
 * agents from the agent roles) and validation of the written file with the real loader.
 */
import { ConfigError } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import { dirname } from "node:path";
import { loadCatalog } from "../../profiles/load.js";
import { resolvePlan } from "../../profiles/resolve.js";
import { statedRequirements } from "../../profiles/statement.js";
import { readAgentRoles } from "../../templates/sources.js";
import type { InitChoices } from "./questions.js";

/** Profiles with their requirements as hints; agents with their roles. */
export async function initChoices(): Promise<InitChoices> {
  const catalog = await loadCatalog();
  const stated = await Promise.all(
    Object.values(catalog.profiles).map(async (p) => ({ p, needs: await statedRequirements(catalog, p.name) })),
  );
  const profiles = stated
    .sort((a, b) => a.needs.memoryGiB - b.needs.memoryGiB || a.p.name.localeCompare(b.p.name))
    .map(({ p, needs }) => ({
      value: p.name,
      hint: `${needs.memoryGiB} GiB RAM, ${needs.cpu} CPU on ${needs.clusterKind}, ~${p.estimatedInstallMinutes} min`,
    }));
  const roles = readAgentRoles();
  const agents = Object.entries(roles.agents).map(([name, role]) => ({
    value: name,
    hint: `${role}: ${roles.roles[role]?.description ?? ""}`.replace(/: $/, ""),
  }));
  return { profiles, agents };
}

/**
 * Loads the file as every command will (a problem here is a bug in the generator, not the
 * user's), then resolves the plan of its `dev` environment and returns what still stops it.
 */
export async function validateWritten(file: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  let config;
  try {
    config = await loadConfig(file, { env });
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new Error(`cto init generated a cto.yaml that does not validate:\n${err.message}`, { cause: err });
    }
    throw err;
  }
  try {
    await resolvePlan(config, { environment: "dev", baseDir: dirname(file), file, env }, await loadCatalog());
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}${i.hint ? `; fix: ${i.hint}` : ""}`);
  }
}
