/**
 * `cto render [--env ENV] [--out DIR] [--format helm-values|manifests] [-f FILE]`: the work behind
 * cli/commands/render.ts, loaded only when the command runs.
 *
 * Writes the fully rendered configuration of one environment into a directory, one file per
 * component, for teams that commit it to a GitOps repository instead of letting `cto` apply it.
 * Secrets are written as references only (Secret names, or ExternalSecrets with `--format
 * manifests`). Rendering is deterministic: the same config renders byte-identical files.
 *
 * This file parses and checks options; the work is `renderToDirectory` in templates/.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../../config/errors.js";
import { DEFAULT_ENVIRONMENT, existingConfigFile, type CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { RenderCommandOptions } from "../commands/render.js";
import { bundledTemplates, readAgentRoles, readTemplateSources } from "../../templates/sources.js";
import { RENDER_FORMATS, renderToDirectory, type RenderFormat } from "../../templates/to-directory.js";

/** `cto render`'s flags, typed from their declaration in cli/commands/render.ts. */
export type RenderOptions = RenderCommandOptions;

export const DEFAULT_SECRET_STORE = "cto";

/** Runs the command; returns the exit code. Output goes to `print` (one line per call). */
export async function runRender(options: RenderOptions, io: CommandIO): Promise<number> {
  const format = (options.format ?? "helm-values") as RenderFormat;
  if (!RENDER_FORMATS.includes(format)) {
    throw new UserError(`--format ${options.format} is not a render format`, {
      hint: `use one of: ${RENDER_FORMATS.join(", ")}`,
    });
  }
  const environment = options.env ?? DEFAULT_ENVIRONMENT;
  const secretStore = options.secretStore ?? DEFAULT_SECRET_STORE;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secretStore)) {
    throw new UserError(`--secret-store ${secretStore} is not a Kubernetes object name`, {
      hint: "use lowercase letters, digits, '-' and '.'",
    });
  }
  const file = existingConfigFile(options, io);
  const dir = resolve(io.cwd, options.out ?? `rendered/${environment}`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(`--out ${dir} exists and is not a directory`);
  }

  // The secrets the resolver returns are deliberately dropped: rendered files hold references only.
  const { plan } = await loadPlan({ file, env: environment }, io);
  const overrides = options.templates ? readOverrides(resolve(io.cwd, options.templates)) : {};

  const result = renderToDirectory(plan, { dir, env: io.env, format, secretStore, ...overrides });
  const count = Object.keys(result.files).length;
  io.print(`Rendered ${plan.platform.name}/${environment} (${plan.profile.name}, ${format}) into ${dir}`);
  for (const path of result.written) io.print(`  written    ${path}`);
  for (const path of result.removed) io.print(`  removed    ${path}`);
  io.print(
    `${count} files: ${result.written.length} written, ${count - result.written.length} unchanged, ${result.removed.length} removed.`,
  );
  return 0;
}

/** Bundled templates with those of `dir` laid over them (same relative names). */
function readOverrides(dir: string): Pick<Parameters<typeof renderToDirectory>[1], "templates" | "roles"> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`--templates ${dir}: no such directory`);
  }
  const bundled = bundledTemplates();
  const roles = existsSync(resolve(dir, "agent-roles.yaml")) ? readAgentRoles(dir) : bundled.roles;
  return { templates: { ...bundled.templates, ...readTemplateSources(dir) }, roles };
}
