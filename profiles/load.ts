/**
 * Loading the profile catalog: every `profiles/<name>.yaml` plus `profiles/versions.yaml`,
 * validated against their schemas and against each other (known components, dependencies
 * present, no cycles, dependencies installed first, every release pinning every component).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError, UserError, type ConfigIssue } from "../config/errors.js";
import { packageRoot } from "../config/paths.js";
import { suggestion } from "../config/suggest.js";
import { parseYamlLocated, type LocatedDocument } from "../config/yaml-parse.js";
import {
  BUILTIN_COMPONENTS,
  profileSchema,
  versionsSchema,
  type ComponentSpec,
  type ProfileSpec,
  type ReleaseSpec,
  type VersionsSpec,
} from "./schema.js";

export const VERSIONS_FILE = "versions.yaml";
/** Tool digests (profiles/tools.ts): data next to the versions, not a profile. */
export const TOOL_DIGESTS_FILE = "tool-digests.yaml";

/** A profile as loaded, with where it came from and its install time in minutes. */
export interface Profile extends ProfileSpec {
  file: string;
  estimatedInstallMinutes: number;
}

export interface Catalog {
  /** The directory the catalog was read from. */
  dir: string;
  /** Profiles by name. */
  profiles: Record<string, Profile>;
  /** Platform releases by number. */
  releases: Record<string, ReleaseSpec>;
  /** The newest release number (the default). */
  latestRelease: string;
  /** Every component name a release pins, sorted. */
  componentNames: string[];
}

/** The bundled profiles directory (`<package root>/profiles`). */
export function defaultProfilesDir(): string {
  return path.join(packageRoot(), "profiles");
}

/**
 * Loads and validates the profiles and releases in `dir` (default: the bundled `profiles/`).
 * @throws ConfigError naming the file, path and fix of every problem found.
 */
export async function loadCatalog(dir: string = defaultProfilesDir()): Promise<Catalog> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new UserError(`cannot read the profiles directory ${dir}: ${(error as Error).message}`, {
      hint: "reinstall cto, or set CTO_PACKAGE_ROOT to the directory holding its package.json",
      cause: error,
    });
  }
  const versionsFile = path.join(dir, VERSIONS_FILE);
  if (!entries.includes(VERSIONS_FILE)) {
    throw new ConfigError([{ file: versionsFile, path: "", message: "is missing: no platform releases are defined" }]);
  }
  const profileFiles = entries
    .filter((e) => /\.ya?ml$/.test(e) && e !== VERSIONS_FILE && e !== TOOL_DIGESTS_FILE)
    .sort()
    .map((e) => path.join(dir, e));
  if (profileFiles.length === 0) {
    throw new ConfigError([{ file: dir, path: "", message: "holds no profiles (<name>.yaml files)" }]);
  }

  const issues: ConfigIssue[] = [];
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConfigError) {
        issues.push(...error.issues);
        return undefined;
      }
      throw error;
    }
  };

  const versionsText = await readFile(versionsFile, "utf8");
  const versions = collect(() =>
    parseYamlLocated(versionsText, versionsFile, versionsSchema, { kind: "a release list" }),
  );
  const profiles: Array<{ file: string; doc: LocatedDocument<ProfileSpec> }> = [];
  for (const file of profileFiles) {
    const text = await readFile(file, "utf8");
    const doc = collect(() => parseYamlLocated(text, file, profileSchema, { kind: "a profile" }));
    if (doc) profiles.push({ file, doc });
  }
  if (!versions) throw new ConfigError(issues);

  const componentNames = checkReleases(versions, issues);
  const catalog: Catalog = {
    dir,
    profiles: {},
    releases: versions.value.releases,
    latestRelease: newest(Object.keys(versions.value.releases)),
    componentNames,
  };
  for (const { file, doc } of profiles) {
    checkProfile(file, doc, componentNames, issues);
    catalog.profiles[doc.value.name] = {
      ...doc.value,
      file,
      estimatedInstallMinutes: minutes(doc.value.estimated_install_time),
    };
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return catalog;
}

/** Every release pins the same components; returns their names (with the built-in ones). */
function checkReleases(versions: LocatedDocument<VersionsSpec>, issues: ConfigIssue[]): string[] {
  const releases = Object.entries(versions.value.releases);
  if (releases.length === 0) {
    issues.push({ ...versions.at(["releases"]), message: "defines no release" });
    return [];
  }
  const all = new Set(releases.flatMap(([, r]) => Object.keys(r.charts)));
  for (const [number, release] of releases) {
    const missing = [...all].filter((c) => !(c in release.charts)).sort();
    if (missing.length > 0) {
      issues.push({
        ...versions.at(["releases", number, "charts"]),
        message: `release ${number} pins no chart for ${missing.map((m) => `\`${m}\``).join(", ")}`,
        hint: "every release pins every component's chart; add the missing entries",
      });
    }
  }
  for (const [number, release] of releases) {
    for (const builtin of BUILTIN_COMPONENTS) {
      if (builtin in release.charts) {
        issues.push({
          ...versions.at(["releases", number, "charts", builtin]),
          message: `\`${builtin}\` is shipped by cto itself (templates/platform/objects), not pinned as a chart`,
          hint: `remove it; a chart of your own is chosen in cto.yaml with charts.${builtin}.repository`,
        });
      }
    }
  }
  return [...new Set([...all, ...BUILTIN_COMPONENTS])].sort();
}

/** Cross-field checks of one profile. */
function checkProfile(file: string, doc: LocatedDocument<ProfileSpec>, known: string[], issues: ConfigIssue[]): void {
  const profile = doc.value;
  const expectedName = path.basename(file).replace(/\.ya?ml$/, "");
  if (profile.name !== expectedName) {
    issues.push({
      ...doc.at(["name"]),
      message: `is "${profile.name}" but the file is ${path.basename(file)}`,
      hint: `name the profile "${expectedName}" or rename the file`,
    });
  }

  const byName = new Map<string, { component: ComponentSpec; index: number }>();
  profile.components.forEach((component, index) => {
    const at = (...rest: (string | number)[]) => doc.at(["components", index, ...rest]);
    if (byName.has(component.name)) {
      issues.push({ ...at("name"), message: `component \`${component.name}\` is listed twice` });
    }
    byName.set(component.name, { component, index });
    if (!known.includes(component.name)) {
      issues.push({
        ...at("name"),
        message: `unknown component \`${component.name}\`: no release in ${VERSIONS_FILE} pins a chart for it`,
        hint: suggestion(component.name, known, "known components"),
      });
    }
    if (component.required && (component.feature || component.ingress)) {
      issues.push({
        ...at(component.feature ? "feature" : "ingress"),
        message: "a required component is always installed and cannot be switched by a feature or ingress type",
        hint: "remove `feature` / `ingress`, or set `required: false`",
      });
    }
    if (!component.required && !component.feature === !component.ingress) {
      issues.push({
        ...at("required"),
        message: "an optional component needs exactly one switch: the feature, or the ingress type, that installs it",
        hint: "add `feature: <name>` (monitoring, databases, backup, security, ...) or `ingress: nginx|traefik`, not both",
      });
    }
    if (component.namespace_role === "platform" && component.namespace !== undefined) {
      issues.push({
        ...at("namespace"),
        message: "a component in the platform namespace takes it from platform.namespace in cto.yaml",
        hint: "remove `namespace`",
      });
    }
    if (component.namespace_role !== "platform" && component.namespace === undefined) {
      issues.push({ ...at("namespace_role"), message: "is not `platform`, so `namespace` is required" });
    }
  });

  const roleNamespaces = new Map<string, string>();
  profile.components.forEach((component, index) => {
    if (component.namespace === undefined) return;
    const previous = roleNamespaces.get(component.namespace_role);
    if (previous !== undefined && previous !== component.namespace) {
      issues.push({
        ...doc.at(["components", index, "namespace"]),
        message: `namespace role \`${component.namespace_role}\` is "${previous}" for another component`,
        hint: "components sharing a namespace role share the namespace",
      });
    }
    roleNamespaces.set(component.namespace_role, component.namespace);
  });

  profile.components.forEach((component, index) => {
    component.dependencies.forEach((dependency, d) => {
      const at = doc.at(["components", index, "dependencies", d]);
      const target = byName.get(dependency);
      if (!target) {
        issues.push({
          ...at,
          message: known.includes(dependency)
            ? `\`${component.name}\` depends on \`${dependency}\`, which this profile does not list`
            : `\`${component.name}\` depends on unknown component \`${dependency}\``,
          hint: known.includes(dependency)
            ? `add \`${dependency}\` to this profile's components, or remove the dependency`
            : suggestion(dependency, [...byName.keys()], "components of this profile"),
        });
        return;
      }
      if (target.component.install_order >= component.install_order) {
        issues.push({
          ...doc.at(["components", index, "install_order"]),
          message: `\`${component.name}\` installs at ${component.install_order}, not after its dependency \`${dependency}\` (${target.component.install_order})`,
          hint: `give \`${component.name}\` an install_order above ${target.component.install_order}`,
        });
      }
    });
  });

  const cycle = findCycle(profile.components);
  if (cycle) {
    const first = byName.get(cycle[0] as string);
    issues.push({
      ...doc.at(["components", first?.index ?? 0, "dependencies"]),
      message: `dependency cycle: ${cycle.join(" → ")}`,
      hint: "remove one of these dependencies",
    });
  }

  for (const feature of Object.keys(profile.features) as (keyof ProfileSpec["features"])[]) {
    if (profile.features[feature] && !profile.allowed_features.includes(feature)) {
      issues.push({
        ...doc.at(["features", feature]),
        message: `is on by default but not among allowed_features`,
        hint: `add ${feature} to allowed_features or turn it off`,
      });
    }
  }
}

/** The first dependency cycle found, as names with the first repeated at the end; or undefined. */
export function findCycle(components: readonly Pick<ComponentSpec, "name" | "dependencies">[]): string[] | undefined {
  const deps = new Map(components.map((c) => [c.name, c.dependencies]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dependency of deps.get(name) ?? []) {
      if (!deps.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const c of components) {
    const cycle = visit(c.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** `1h30m` → 90. */
export function minutes(duration: string): number {
  const match = /^(?:([0-9]+)h)?(?:([0-9]+)m)?$/.exec(duration);
  return Number(match?.[1] ?? 0) * 60 + Number(match?.[2] ?? 0);
}

/** The highest of some `x.y.z` release numbers. */
export function newest(releases: string[]): string {
  const parts = (r: string) => r.split(".").map(Number);
  return [...releases].sort((a, b) => {
    const [pa, pb] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  })[releases.length - 1] as string;
}
