/**
 * The work behind `cto config validate` and `cto config show`, loaded only when they run.
 */
import { stringify } from "yaml";
import { ConfigError, UserError, type ConfigIssue } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import { redactConfig } from "../../config/redact.js";
import { DEFAULT_ENVIRONMENT, existingConfigFile, type CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { ShowOptions, ValidateOptions } from "../commands/config.js";

export const OUTPUT_FORMATS = ["yaml", "json"] as const;

/**
 * Validates the file (schema: every problem at once), then resolves the plan of every environment
 * it declares (or `dev`), so an unknown profile or release is caught too.
 */
export async function runValidate(options: ValidateOptions, io: CommandIO): Promise<number> {
  const file = existingConfigFile(options, io);
  const config = await loadConfig(file, { env: io.env });
  const environments = Object.keys(config.environments);
  if (environments.length === 0) environments.push(DEFAULT_ENVIRONMENT);
  const providers = await resolveEveryEnvironment(file, environments, io);
  const agents = Object.entries(config.agents)
    .filter(([, a]) => a.enabled)
    .map(([name]) => name);
  io.print(`✓ ${file} is valid`);
  io.print(
    `  platform ${config.platform.name}, profile ${config.profile}, cluster ${providers.join("/")}, ` +
      `agents ${agents.length > 0 ? agents.join(", ") : "none"}, environments ${environments.join(", ")}`,
  );
  return 0;
}

/**
 * Resolves each environment's plan and reports the problems of all of them together, each naming
 * the environments it occurs in (one problem shared by every environment is listed once). Returns
 * the cluster providers the plans chose (the config may leave that to the profile or environment).
 */
async function resolveEveryEnvironment(file: string, environments: string[], io: CommandIO): Promise<string[]> {
  const found = new Map<string, { issue: ConfigIssue; environments: string[] }>();
  const providers = new Set<string>();
  for (const env of environments) {
    try {
      providers.add((await loadPlan({ file, env }, io)).plan.cluster.provider);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const issue of err.issues) {
        const key = JSON.stringify([issue.file, issue.line, issue.column, issue.path, issue.message, issue.hint]);
        const entry = found.get(key) ?? { issue, environments: [] };
        entry.environments.push(env);
        found.set(key, entry);
      }
    }
  }
  if (found.size === 0) return [...providers];
  throw new ConfigError(
    [...found.values()].map(({ issue, environments: envs }) =>
      // A problem located inside environments.<env> names its environment already.
      envs.length === 1 && issue.path.startsWith(`environments.${envs[0]}`)
        ? issue
        : { ...issue, message: `${issue.message} (environment${envs.length === 1 ? "" : "s"} ${envs.join(", ")})` },
    ),
  );
}

/** Prints the config (secrets redacted) or, with `resolved`, the plan (which holds no secret values). */
export async function runShow(options: ShowOptions, io: CommandIO): Promise<number> {
  const output = options.output ?? "yaml";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new UserError(`--output ${output} is not an output format`, {
      hint: `use one of: ${OUTPUT_FORMATS.join(", ")}`,
    });
  }
  if (options.env !== undefined && !options.resolved) {
    throw new UserError("--env only applies to the resolved plan", {
      hint: `add --resolved: cto config show --env ${options.env} --resolved`,
    });
  }
  let data: unknown;
  if (options.resolved) {
    data = (await loadPlan({ file: options.file, env: options.env }, io)).plan;
  } else {
    data = redactConfig(await loadConfig(existingConfigFile(options, io), { env: io.env }));
  }
  io.print(output === "json" ? JSON.stringify(data, null, 2) : stringify(data, { lineWidth: 0 }).trimEnd());
  return 0;
}
