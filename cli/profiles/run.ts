/**
 * The work behind `cto profiles list` and `cto profiles show`, loaded only when they run.
 */
import { UserError } from "../../config/errors.js";
import { suggestion } from "../../config/suggest.js";
import { loadCatalog, type Catalog, type Profile } from "../../profiles/load.js";
import { LOCAL_CLUSTER_KINDS, STATED_CLUSTER_KIND, statedRequirements } from "../../profiles/statement.js";
import type { CommandIO } from "../context.js";
import { table } from "../table.js";
import { defaultAgents } from "../../profiles/default-agents.js";
import type { ListOptions, ShowOptions } from "../commands/profiles.js";

type Stated = Awaited<ReturnType<typeof statedRequirements>>;

/** Profiles from the smallest requirement up, each with what it needs on `cto init`'s default cluster kind. */
async function withRequirements(catalog: Catalog): Promise<{ profile: Profile; needs: Stated }[]> {
  const rows = await Promise.all(
    Object.values(catalog.profiles).map(async (profile) => ({
      profile,
      needs: await statedRequirements(catalog, profile.name),
    })),
  );
  return rows.sort(
    (a, b) =>
      a.needs.memoryGiB - b.needs.memoryGiB ||
      a.needs.cpu - b.needs.cpu ||
      a.profile.name.localeCompare(b.profile.name),
  );
}

/** One row per profile. */
export async function runList(options: ListOptions, io: CommandIO): Promise<number> {
  const catalog = await loadCatalog();
  const rows = await withRequirements(catalog);
  if (options.json) {
    io.print(
      JSON.stringify(
        rows.map((r) => summary(r.profile, r.needs)),
        null,
        2,
      ),
    );
    return 0;
  }
  io.print(
    table(
      ["PROFILE", "MEMORY", "CPU", "DISK", "INSTALL", "COMPONENTS", "DESCRIPTION"],
      rows.map(({ profile: p, needs }) => [
        p.name,
        `${needs.memoryGiB} GiB`,
        String(needs.cpu),
        `${needs.diskGiB} GiB`,
        `~${p.estimatedInstallMinutes} min`,
        String(p.components.length),
        p.description,
      ]),
    ),
  );
  io.print("");
  io.print(
    `Memory, CPU and disk: what each profile's plan requests with its default agents and every feature it allows, plus the ${STATED_CLUSTER_KIND} cluster's own share (cto doctor checks the same figure).`,
  );
  io.print("Details and other cluster kinds: cto profiles show NAME");
  return 0;
}

function summary(p: Profile, needs: Stated, byClusterKind?: Record<string, Stated>) {
  return {
    name: p.name,
    description: p.description,
    estimatedInstallMinutes: p.estimatedInstallMinutes,
    requirements: needs,
    ...(byClusterKind ? { requirementsByClusterKind: byClusterKind } : {}),
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
export async function runShow(name: string, options: ShowOptions, io: CommandIO): Promise<number> {
  const catalog = await loadCatalog();
  const profile = catalog.profiles[name];
  if (!profile) {
    const names = Object.keys(catalog.profiles).sort();
    throw new UserError(`no profile named '${name}'`, { hint: suggestion(name, names, "profiles") });
  }
  const byKind: Record<string, Stated> = {};
  for (const kind of LOCAL_CLUSTER_KINDS) byKind[kind] = await statedRequirements(catalog, name, kind);
  const s = summary(profile, byKind[STATED_CLUSTER_KIND] as Stated, byKind);
  if (options.json) {
    io.print(JSON.stringify(s, null, 2));
    return 0;
  }
  const r = s.requirements;
  io.print(`${profile.name}: ${profile.description}`);
  io.print("");
  io.print(
    `Requirements:  ${r.memoryGiB} GiB memory, ${r.cpu} CPU, ${r.diskGiB} GiB free disk on ${STATED_CLUSTER_KIND}; ` +
      Object.entries(byKind)
        .filter(([kind]) => kind !== STATED_CLUSTER_KIND)
        .map(([kind, k]) => `${kind} ${k.memoryGiB} GiB, ${k.cpu} CPU, ${k.diskGiB} GiB`)
        .join("; "),
  );
  io.print(
    `               (the plan's requests with the default agents (${defaultAgents(name).join(", ")}) and every allowed feature, plus the cluster's own share)`,
  );
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
