/**
 * Reading the bundled templates and the agent-roles data from the package's `templates/` folder.
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

/** Parses and validates agent-roles data; `file` names it in errors. */
export function parseAgentRoles(text: string, file = "templates/agent-roles.yaml"): AgentRoles {
  const result = agentRolesSchema.safeParse(parseYaml(text));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; ");
    throw new UserError(`${file}: ${problems}`);
  }
  return result.data;
}

/** Reads `templates/agent-roles.yaml`. */
export function readAgentRoles(dir: string = templatesDir()): AgentRoles {
  const path = join(dir, "agent-roles.yaml");
  return parseAgentRoles(readFileSync(path, "utf8"), dir === templatesDir() ? "templates/agent-roles.yaml" : path);
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
