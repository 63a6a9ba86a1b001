/**
 * `renderPlatform(plan, inputs) → RenderedValues`: every organisation-specific value the platform
 * needs, rendered from the templates with the user's configuration.
 *
 * Rendering goes in two phases. First the parts other templates build on: ingress hosts, image
 * references, the Secrets (by name only) and the GitHub App manifests. Then, with those in the
 * context, the controller's configuration and each chart's values. Every result is checked
 * against its expected shape, so a template mistake surfaces here, naming the template, rather
 * than as a bad value in a cluster.
 *
 * Pure and deterministic: the same plan, environment and random store give the same result with
 * the same key order. The only state is the random store, which the caller persists.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { UserError } from "../config/errors.js";
import type { Plan } from "../profiles/plan.js";
import { buildContext, type AgentView, type TemplateContext } from "./context.js";
import { TemplateEngine } from "./engine.js";
import type { HelperInputs, SecretSpec } from "./helpers.js";
import type { GitHubAppManifest, RenderedIngress, RenderedValues } from "./rendered.js";
import { templatesOrBundled, type AgentRoles, type TemplateSources } from "./sources.js";
import { objectId, objectProblems, type PlatformObject } from "./platform-objects.js";
import { sortDeep, stableJson, stableYaml } from "./stable.js";

/** What a render reads besides the plan. */
export interface RenderInputs {
  /** Environment variables for `{{env ...}}` (pass `process.env` from the CLI, a fixed map in tests). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Stored random values by name. Values a template asks for that are not here yet are generated
   * and added to this object: persist it (as stack secrets) so later renders reuse them.
   */
  randomStore: Record<string, string>;
  /** Randomness for new random values (tests fix it). */
  randomSource?: HelperInputs["randomSource"];
  /** Templates and roles to use instead of the bundled ones (tests, overrides). */
  templates?: TemplateSources;
  roles?: AgentRoles;
}

/** GitHub refuses App names longer than this. */
export const GITHUB_APP_NAME_MAX = 34;

const TEMPLATE = {
  ingress: "platform/ingress.yaml.hbs",
  images: "platform/images.yaml.hbs",
  secrets: "platform/secrets.yaml.hbs",
  githubApps: "platform/github-apps.yaml.hbs",
  controllerConfig: "platform/controller-config.yaml.hbs",
  controllerRuntime: "platform/controller-runtime.yaml.hbs",
  agents: "platform/agents.yaml.hbs",
  agentWorkflow: "platform/agent-workflow.yaml.hbs",
} as const;

/**
 * The platform's own objects, in the order they are created: CRDs before anything using them,
 * the controller, then the WorkflowTemplate before the Sensors that submit it.
 */
export const PLATFORM_OBJECT_TEMPLATES = [
  "platform/objects/crds.yaml.hbs",
  "platform/objects/controller.yaml.hbs",
  "platform/objects/workflows.yaml.hbs",
  "platform/objects/events.yaml.hbs",
] as const;

const ingressSchema = z.strictObject({
  enabled: z.boolean(),
  className: z.string().nullable(),
  hosts: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  tls: z.strictObject({ enabled: z.boolean(), clusterIssuer: z.string().nullable() }),
});

const imagesSchema = z.record(z.string(), z.strictObject({ repository: z.string().min(1), tag: z.string().min(1) }));

const secretsSchema = z.record(
  z.string(),
  z.strictObject({
    name: z.string().min(1),
    namespace: z.string().min(1),
    type: z.string().min(1),
    keys: z.record(z.string(), z.string()),
    openKeys: z.boolean(),
  }),
);

const appsSchema = z.record(
  z.string(),
  z.strictObject({
    name: z.string().min(1),
    url: z.string().url(),
    public: z.boolean(),
    hook_attributes: z.strictObject({ url: z.string(), active: z.boolean() }),
    default_permissions: z.record(z.string(), z.enum(["read", "write"])),
    default_events: z.array(z.string()),
  }),
);

const objectSchema = z.record(z.string(), z.unknown());

/** Renders every template for a plan. */
export function renderPlatform(plan: Plan, inputs: RenderInputs): RenderedValues {
  const { templates, roles } = templatesOrBundled(inputs.templates, inputs.roles);

  const secrets: Record<string, SecretSpec> = {};
  const engine = new TemplateEngine(templates, {
    env: inputs.env,
    randomStore: inputs.randomStore,
    randomSource: inputs.randomSource,
    secrets,
  });
  const base = buildContext(plan, roles);
  checkAgentImages(plan, base.agents);
  const context: TemplateContext & { agentsByName: Record<string, AgentView> } = {
    ...base,
    agentsByName: Object.fromEntries(base.agents.map((a) => [a.name, a])),
  };
  const data = <S extends z.ZodType>(name: string, schema: S, ctx: object): z.infer<S> =>
    checkShape(name, schema, engine.renderData(name, ctx));

  // Phase 1: the parts other templates refer to.
  const ingress = data(TEMPLATE.ingress, ingressSchema, context);
  const images = data(TEMPLATE.images, imagesSchema, context);
  Object.assign(secrets, data(TEMPLATE.secrets, secretsSchema, context));
  const apps = data(TEMPLATE.githubApps, appsSchema, context);
  checkAppNames(apps);

  // Phase 2: configuration and chart values, with the phase-1 results in view.
  const imageRefs = Object.fromEntries(Object.entries(images).map(([name, i]) => [name, `${i.repository}:${i.tag}`]));
  const full = {
    ...context,
    ingress,
    images: Object.fromEntries(Object.entries(images).map(([name, i]) => [name, { ...i, ref: imageRefs[name] }])),
    imageRefs,
    appNames: Object.fromEntries(Object.entries(apps).map(([agent, app]) => [agent, app.name])),
    secrets,
  };
  const controllerConfig = data(TEMPLATE.controllerConfig, objectSchema, full);
  const platformObjects = builtinController(plan)
    ? renderPlatformObjects(engine, plan, full, controllerConfig, secrets)
    : [];

  const helmValues: Record<string, Record<string, unknown>> = {};
  for (const component of plan.components) {
    if (!component.chart) continue;
    const template = valuesTemplateFor(engine, component.name, component.chart.chart);
    // `chart`: the chart these values are for, so a template can follow its version.
    helmValues[component.name] = template ? data(template, objectSchema, { ...full, chart: component.chart }) : {};
  }

  const { hosts, ...rest } = ingress;
  const renderedIngress: RenderedIngress = rest;
  return sortDeep({
    helmValues,
    controllerConfig,
    githubAppManifests: apps satisfies Record<string, GitHubAppManifest>,
    ingressHosts: hosts,
    images: imageRefs,
    secretNames: Object.fromEntries(Object.entries(secrets).map(([purpose, s]) => [purpose, s.name])),
    secrets: { ...secrets },
    ingress: renderedIngress,
    platformObjects,
  });
}

/** Whether the plan installs the controller cto ships (no chart configured for it). */
export function builtinController(plan: Plan): boolean {
  return plan.components.some((c) => c.name === "controller" && !c.chart);
}

/** The slug GitHub gives an App of this name (lowercase, other characters as hyphens). */
export function githubAppSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Renders `platform/objects/` into the list of objects `cto up` creates and `cto render` writes,
 * each checked for its Kubernetes identity and, for Argo Events kinds, its full shape.
 */
function renderPlatformObjects(
  engine: TemplateEngine,
  plan: Plan,
  full: Record<string, unknown> & { agents: AgentView[]; appNames: Record<string, string> },
  controllerConfig: Record<string, unknown>,
  secrets: Record<string, SecretSpec>,
): PlatformObject[] {
  const labels = (component: string) => ({
    ...plan.platform.labels,
    "app.kubernetes.io/managed-by": "cto",
    "app.kubernetes.io/part-of": plan.platform.labels["app.kubernetes.io/part-of"] ?? plan.platform.name,
    "app.kubernetes.io/component": component,
  });
  const appSlugs = Object.fromEntries(
    Object.entries(full.appNames).map(([agent, name]) => [agent, githubAppSlug(name)]),
  );
  // Pods pull the platform's images with the registry's pull secret only when they come from a
  // mirror that has credentials (and so the Secret exists).
  const imagePullSecret = plan.images.pullSecret && secrets.registry ? secrets.registry.name : null;
  const withSlugs = { ...full, appSlugs, imagePullSecret };
  const controllerRuntimeYaml = stableYaml(
    checkShape(TEMPLATE.controllerRuntime, objectSchema, engine.renderData(TEMPLATE.controllerRuntime, withSlugs)),
  );
  const agentsYaml = stableYaml(
    checkShape(TEMPLATE.agents, objectSchema, engine.renderData(TEMPLATE.agents, withSlugs)),
  );
  const controllerConfigJson = stableJson(controllerConfig);
  const controllerConfigChecksum = createHash("sha256")
    .update(controllerConfigJson)
    .update(controllerRuntimeYaml)
    .update(agentsYaml)
    .digest("hex")
    .slice(0, 16);
  const agentWorkflows = Object.fromEntries(
    full.agents.map((agent) => [agent.name, engine.renderData(TEMPLATE.agentWorkflow, { ...withSlugs, agent })]),
  );
  const context = {
    ...withSlugs,
    objectLabels: {
      crds: labels("crds"),
      controller: labels("controller"),
      events: labels("events"),
      workflows: labels("workflows"),
    },
    controllerConfigJson,
    controllerRuntimeYaml,
    agentsYaml,
    controllerConfigChecksum,
    agentWorkflows,
  };
  const objects: PlatformObject[] = [];
  const seen = new Set<string>();
  for (const template of PLATFORM_OBJECT_TEMPLATES) {
    const rendered = engine.renderData(template, context);
    if (!Array.isArray(rendered))
      throw new UserError(`templates/${template}: must render a list of Kubernetes objects`);
    rendered.forEach((object, index) => {
      const problems = objectProblems(object);
      if (problems.length > 0) {
        throw new UserError(
          `templates/${template}: object ${index + 1} has the wrong shape: ${problems.slice(0, 5).join("; ")}`,
        );
      }
      const id = objectId(object as PlatformObject);
      if (seen.has(id)) throw new UserError(`templates/${template}: ${id} is rendered twice`);
      seen.add(id);
      objects.push(object as PlatformObject);
    });
  }
  return objects;
}

/** Every agent's CLI needs an image the plan places; the default CLI is only known here. */
function checkAgentImages(plan: Plan, agents: readonly AgentView[]): void {
  for (const agent of agents) {
    if (!plan.images || agent.cli in plan.images.agents) continue;
    const pinned = Object.keys(plan.images.agents).sort().join(", ");
    throw new UserError(
      `agent ${agent.name} runs the ${agent.cli} CLI, and release ${plan.release} pins no image for it`,
      {
        hint: `set agents.${agent.name}.cli in cto.yaml to one of ${pinned} (profiles/versions.yaml says why others have none)`,
      },
    );
  }
  if (!plan.images) {
    throw new UserError("this plan has no platform images (it was stored by an older cto)", {
      hint: "run cto up with the current cto.yaml to resolve it again",
    });
  }
}

/**
 * The values template of a chart component: `values/<component>.yaml.hbs`, else
 * `values/<chart>.yaml.hbs`; undefined when neither exists (the chart's defaults apply).
 */
export function valuesTemplateFor(
  engine: Pick<TemplateEngine, "has">,
  component: string,
  chart: string,
): string | undefined {
  return [`values/${component}.yaml.hbs`, `values/${chart}.yaml.hbs`].find((name) => engine.has(name));
}

function checkShape<S extends z.ZodType>(template: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`)
    .join("; ");
  throw new UserError(`templates/${template}: rendered output has the wrong shape: ${problems}`);
}

function checkAppNames(apps: Record<string, { name: string }>): void {
  for (const [agent, app] of Object.entries(apps)) {
    if (app.name.length > GITHUB_APP_NAME_MAX) {
      throw new UserError(
        `GitHub App name "${app.name}" for agent ${agent} is ${app.name.length} characters; GitHub allows at most ${GITHUB_APP_NAME_MAX}`,
        { hint: `set a shorter name in cto.yaml: github.apps.${agent}.slug` },
      );
    }
  }
}
