/**
 * The work behind `cto profiles list` and `cto profiles show`, loaded only when they run.
 */
import { UserError } from "../../config/errors.js";
import { suggestion } from "../../config/suggest.js";
import { loadCatalog, type Profile } from "../../profiles/load.js";
import type { CommandIO } from "../context.js";
import { table } from "../table.js";

function byMemory(profiles: Record<string, Profile>): Profile[] {
  return Object.values(profiles).sort(
    (a, b) => a.resource_requirements.memory_gib - b.resource_requirements.memory_gib || a.name.localeCompare(b.name),
  );
}

/** One row per profile. */
export async function runList(options: { json?: boolean }, io: CommandIO): Promise<number> {
  const catalog = await loadCatalog();
  const profiles = byMemory(catalog.profiles);
  if (options.json) {
    io.print(JSON.stringify(profiles.map(summary), null, 2));
    return 0;
  }
  io.print(
    table(
      ["PROFILE", "MEMORY", "CPU", "DISK", "INSTALL", "COMPONENTS", "DESCRIPTION"],
      profiles.map((p) => [
        p.name,
        `${p.resource_requirements.memory_gib} GiB`,
        String(p.resource_requirements.cpu),
        `${p.resource_requirements.disk_gib} GiB`,
        `~${p.estimatedInstallMinutes} min`,
        String(p.components.length),
        p.description,
      ]),
    ),
  );
  io.print("");
  io.print("Details: cto profiles show NAME");
  return 0;
}

function summary(p: Profile) {
  return {
    name: p.name,
    description: p.description,
    estimatedInstallMinutes: p.estimatedInstallMinutes,
    requirements: {
      memoryGiB: p.resource_requirements.memory_gib,
      cpu: p.resource_requirements.cpu,
      diskGiB: p.resource_requirements.disk_gib,
    },
    features: p.features,
    allowedFeatures: p.allowed_features,
    components: [...p.components]
      .sort((a, b) => a.install_order - b.install_order)
      .map((c) => ({
        name: c.name,
        category: c.category,
        required: c.required,
        feature: c.feature,
        dependencies: c.dependencies,
        installOrder: c.install_order,
        description: c.description,
      })),
  };
}

/** Components in install order, features, requirements. */
export async function runShow(name: string, options: { json?: boolean }, io: CommandIO): Promise<number> {
  const catalog = await loadCatalog();
  const profile = catalog.profiles[name];
  if (!profile) {
    const names = Object.keys(catalog.profiles).sort();
    throw new UserError(`no profile named '${name}'`, { hint: suggestion(name, names, "profiles") });
  }
  const s = summary(profile);
  if (options.json) {
    io.print(JSON.stringify(s, null, 2));
    return 0;
  }
  const r = s.requirements;
  io.print(`${profile.name}: ${profile.description}`);
  io.print("");
  io.print(`Requirements:  ${r.memoryGiB} GiB memory, ${r.cpu} CPU, ${r.diskGiB} GiB free disk`);
  io.print(`Install time:  about ${s.estimatedInstallMinutes} minutes`);
  const on = Object.entries(s.features)
    .filter(([, v]) => v)
    .map(([k]) => k);
  io.print(`Features on:   ${on.length > 0 ? on.join(", ") : "none"}`);
  io.print(
    `Can switch on: ${s.allowedFeatures.length > 0 ? s.allowedFeatures.join(", ") : "nothing"} (features: in cto.yaml)`,
  );
  io.print("");
  io.print(
    table(
      ["ORDER", "COMPONENT", "CATEGORY", "INSTALLED", "DEPENDS ON"],
      s.components.map((c) => [
        String(c.installOrder),
        c.name,
        c.category,
        c.required ? "always" : `with ${c.feature ?? "its feature"}`,
        c.dependencies.length > 0 ? c.dependencies.join(", ") : "-",
      ]),
    ),
  );
  return 0;
}
