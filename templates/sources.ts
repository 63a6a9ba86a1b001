/**
 * Reading the bundled templates, the agent-roles data and the GitHub App catalog (the permission
 * and event names GitHub knows) from the package's `templates/` folder.
 * This is the only file of `templates/` that touches the file system; the engine and the render
 * functions take what it returns as plain values.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UserError } from "../config/errors.js";

/** Template sources by name, the name being the path under `templates/` with `/` separators. */
export type TemplateSources = Record<string, string>;

const permissionLevel = z.enum(["read", "write"]);
const roleSchema = z.strictObject({
  description: z.string().min(1),
  play: z.enum(["implementation", "quality", "testing", "security"]).nullable(),
  permissions: z.record(z.string().regex(/^[a-z_]+$/), permissionLevel),
  events: z.array(z.string().regex(/^[a-z_]+$/)),
});

/** The schema of `templates/agent-roles.yaml`. */
export const agentRolesSchema = z
  .strictObject({
    default_role: z.string().min(1),
    default_cli: z.string().min(1),
    agents: z.record(z.string(), z.string()),
    roles: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), roleSchema),
  })
  .superRefine((data, ctx) => {
    for (const [agent, role] of Object.entries(data.agents)) {
      if (!(role in data.roles))
        ctx.addIssue({ code: "custom", path: ["agents", agent], message: `unknown role "${role}"` });
    }
    if (!(data.default_role in data.roles)) {
      ctx.addIssue({ code: "custom", path: ["default_role"], message: `unknown role "${data.default_role}"` });
    }
    for (const [name, role] of Object.entries(data.roles)) {
      if (role.permissions.metadata === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["roles", name, "permissions"],
          message: "GitHub requires metadata: read",
        });
      }
    }
  });

export type AgentRoles = z.infer<typeof agentRolesSchema>;

/** The schema of `templates/github-app-catalog.yaml`. */
export const appCatalogSchema = z.strictObject({
  permissions: z.record(z.string().regex(/^[a-z_]+$/), z.array(z.enum(["read", "write", "admin"])).min(1)),
  events: z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().regex(/^[a-z_]+$/)).min(1)),
});

/** Permission names with their access levels, and events with the permissions that allow them. */
export type AppCatalog = z.infer<typeof appCatalogSchema>;

/**
 * What GitHub would refuse in an App's permissions and events: an unknown permission or level,
 * an unknown event, or an event without any of the permissions it needs. Empty when all is well.
 */
export function catalogProblems(
  catalog: AppCatalog,
  permissions: Record<string, string>,
  events: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [name, level] of Object.entries(permissions)) {
    const levels = catalog.permissions[name];
    if (!levels) problems.push(`unknown permission "${name}"`);
    else if (!(levels as string[]).includes(level))
      problems.push(`permission "${name}" cannot be "${level}" (GitHub offers ${levels.join(", ")})`);
  }
  for (const event of events) {
    const needs = catalog.events[event];
    if (!needs) problems.push(`unknown event "${event}"`);
    else if (!needs.some((p) => permissions[p] !== undefined))
      problems.push(`event "${event}" needs the ${needs.join(" or ")} permission`);
  }
  return problems;
}
export type AgentRole = z.infer<typeof roleSchema>;

/** The package's `templates/` folder (next to `dist/`, found by walking up from this module). */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "templates", "agent-roles.yaml"))) {
      return join(dir, "templates");
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the package's templates/ folder");
    dir = parent;
  }
}

/** Every `*.hbs` file under `dir`, by path relative to it. */
export function readTemplateSources(dir: string = templatesDir()): TemplateSources {
  const out: TemplateSources = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".hbs")) out[relative(dir, path).split(sep).join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return out;
}

/**
 * Parses and validates agent-roles data; `file` names it in errors. With a catalog, every role's
 * permissions and events must be ones GitHub knows, each event with its permission.
 */
export function parseAgentRoles(text: string, file = "templates/agent-roles.yaml", catalog?: AppCatalog): AgentRoles {
  const result = agentRolesSchema.safeParse(parseYaml(text));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; ");
    throw new UserError(`${file}: ${problems}`);
  }
  if (catalog) {
    const problems = Object.entries(result.data.roles).flatMap(([name, role]) =>
      catalogProblems(catalog, role.permissions, role.events).map((p) => `roles.${name}: ${p}`),
    );
    if (problems.length > 0) {
      throw new UserError(`${file}: ${problems.join("; ")}`, {
        hint: "use the permission and event names of templates/github-app-catalog.yaml (GitHub's own names)",
      });
    }
  }
  return result.data;
}

/** Parses and validates GitHub App catalog data. */
export function parseAppCatalog(text: string, file = "templates/github-app-catalog.yaml"): AppCatalog {
  const result = appCatalogSchema.safeParse(parseYaml(text));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; ");
    throw new UserError(`${file}: ${problems}`);
  }
  for (const [event, needs] of Object.entries(result.data.events)) {
    const unknown = needs.filter((p) => !(p in result.data.permissions));
    if (unknown.length > 0) throw new UserError(`${file}: events.${event}: unknown permission ${unknown.join(", ")}`);
  }
  return result.data;
}

/** Reads `templates/github-app-catalog.yaml`. */
export function readAppCatalog(dir: string = templatesDir()): AppCatalog {
  const path = join(dir, "github-app-catalog.yaml");
  return parseAppCatalog(
    readFileSync(path, "utf8"),
    dir === templatesDir() ? "templates/github-app-catalog.yaml" : path,
  );
}

/**
 * Reads `templates/agent-roles.yaml`, checked against the GitHub App catalog next to it (the
 * bundled catalog when a custom templates folder has none).
 */
export function readAgentRoles(dir: string = templatesDir()): AgentRoles {
  const path = join(dir, "agent-roles.yaml");
  const file = dir === templatesDir() ? "templates/agent-roles.yaml" : path;
  const catalog = existsSync(join(dir, "github-app-catalog.yaml")) ? readAppCatalog(dir) : readAppCatalog();
  return parseAgentRoles(readFileSync(path, "utf8"), file, catalog);
}

let bundled: { templates: TemplateSources; roles: AgentRoles } | undefined;

/** The bundled templates and roles, read once per process (they are part of the package). */
export function bundledTemplates(): { templates: TemplateSources; roles: AgentRoles } {
  bundled ??= { templates: readTemplateSources(), roles: readAgentRoles() };
  return bundled;
}

/** The given templates and roles, each defaulting to the bundled ones. */
export function templatesOrBundled(
  templates?: TemplateSources,
  roles?: AgentRoles,
): { templates: TemplateSources; roles: AgentRoles } {
  if (templates && roles) return { templates, roles };
  const bundledSet = bundledTemplates();
  return { templates: templates ?? bundledSet.templates, roles: roles ?? bundledSet.roles };
}
