/**
 * The files `cto render` writes: rendered values laid out one file per component, in one of two
 * formats, ready to commit to a GitOps repository.
 *
 * - `helm-values`: `<component>.values.yaml` per chart, `cto-config.json`, `github-apps/<agent>.json`.
 * - both: `namespaces.yaml` (the Namespaces `cto up` creates, Pod Security labels included:
 *   templates/namespace-objects.ts; no chart creates its own), `platform/<kind>-<name>.yaml`, the
 *   platform's own objects (CRDs, controller, event wiring), and `security/`, the cert-manager
 *   ClusterIssuer and the NetworkPolicies of the security feature (templates/security-objects.ts),
 *   `ingress/ingress-cto-webhooks.yaml`, the Ingress of `webhooks.<domain>`
 *   (templates/ingress-objects.ts), and `tunnel/deployment-cto-tunnel.yaml`, the webhook tunnel's
 *   relay (templates/tunnel-objects.ts), exactly as `cto up` creates them.
 * - `manifests`: Kubernetes objects for Argo CD to sync: `applications/<component>.yaml` (Argo CD
 *   Applications with inline values, each in the sync wave of its install order: `applicationWave`,
 *   from which every other wave here is derived: the platform objects and the ClusterIssuer come
 *   after the charts that serve their kinds), `cto-config.configmap.yaml`,
 *   `external-secrets/<secret>.yaml` (the registry pull secret's builds `.dockerconfigjson` from the
 *   password alone, as `cto up` does: templates/pull-secret.ts), and `github-apps/<agent>.json`.
 *
 * Both carry a README.md. Secrets appear only as references. Output is byte-identical for the same
 * inputs: sorted keys, no timestamps. A state file (`.cto-render.json`) records the files written
 * and the stored random values, so a later render reuses those values and removes files it wrote
 * before that are no longer produced (an agent removed from cto.yaml, say) — and nothing else.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { z } from "zod";
import { UserError } from "../config/errors.js";
import type { Plan } from "../profiles/plan.js";
import { buildContext } from "./context.js";
import { TemplateEngine } from "./engine.js";
import { webhookIngressObject } from "./ingress-objects.js";
import { namespaceObjects } from "./namespace-objects.js";
import { builtinController, renderPlatform, type RenderInputs } from "./render.js";
import type { PlatformObject } from "./platform-objects.js";
import { dockerConfigTemplate, REGISTRY_PASSWORD_PROPERTY, registryHost } from "./pull-secret.js";
import type { RenderedValues } from "./rendered.js";
import { certManagerComponent, clusterIssuerObject, networkPolicyObjects } from "./security-objects.js";
import { templatesOrBundled, type AgentRoles, type TemplateSources } from "./sources.js";
import { tunnelDeploymentObject } from "./tunnel-objects.js";
import { stableJson, stableYaml, stableYamlDocuments } from "./stable.js";

export const RENDER_FORMATS = ["helm-values", "manifests"] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** The state file in the output directory. */
export const RENDER_STATE_FILE = ".cto-render.json";

export interface RenderFilesOptions {
  format: RenderFormat;
  /** ClusterSecretStore the ExternalSecrets read from (`manifests` format). */
  secretStore: string;
  templates?: TemplateSources;
  roles?: AgentRoles;
}

/** Relative path → file content, sorted by path. */
export type RenderedFiles = Record<string, string>;

/** Lays out rendered values as files (in memory; nothing is written). */
export function renderFiles(plan: Plan, rendered: RenderedValues, options: RenderFilesOptions): RenderedFiles {
  const { templates, roles } = templatesOrBundled(options.templates, options.roles);
  // Output templates use no env, random or secret helpers: everything they need is rendered already.
  const engine = new TemplateEngine(templates, { env: {}, randomStore: {}, secrets: {} });
  const context = buildContext(plan, roles);
  const header = `# Rendered by cto render for ${plan.platform.name}/${plan.environment}. Edit cto.yaml, not this file.\n`;
  const files: RenderedFiles = {};

  for (const [agent, manifest] of Object.entries(rendered.githubAppManifests)) {
    files[`github-apps/${agent}.json`] = stableJson(manifest);
  }
  // The Namespaces `cto up` creates (components/platform-base.ts), from the same function, in both
  // formats: a chart installed into a namespace it creates itself (helm --create-namespace, Argo CD
  // CreateNamespace) would miss the Pod Security and platform labels.
  files["namespaces.yaml"] = header + stableYamlDocuments(namespaceObjects(plan));
  const charted = plan.components
    .filter((c) => c.chart && rendered.helmValues[c.name])
    .sort((a, b) => a.installOrder - b.installOrder || (a.name < b.name ? -1 : 1));

  if (options.format === "helm-values") {
    for (const c of charted) files[`${c.name}.values.yaml`] = header + stableYaml(rendered.helmValues[c.name]);
    files["cto-config.json"] = stableJson(rendered.controllerConfig);
  } else {
    const argocdNamespace =
      plan.components.find((c) => c.chart?.chart === "argo-cd")?.namespace ?? plan.namespaces.argocd ?? "argocd";
    for (const c of charted) {
      const chart = c.chart as NonNullable<typeof c.chart>;
      const component = {
        name: c.name,
        namespace: c.namespace,
        wave: String(applicationWave(c)),
        chart,
        repoURL: chart.repository.replace(/^oci:\/\//, ""),
        values: rendered.helmValues[c.name],
      };
      const app = engine.renderData("manifests/application.yaml.hbs", { ...context, argocdNamespace, component });
      files[`applications/${c.name}.yaml`] = header + stableYaml(app);
    }
    if (!builtinController(plan)) {
      const configMap = engine.renderData("manifests/config-map.yaml.hbs", {
        ...context,
        controllerConfigJson: stableJson(rendered.controllerConfig),
      });
      files["cto-config.configmap.yaml"] = header + stableYaml(configMap);
    }
    for (const secret of Object.values(rendered.secrets)) {
      const doc = engine.renderData("manifests/external-secret.yaml.hbs", {
        ...context,
        secret,
        secretStore: options.secretStore,
        dockerConfig: pullSecretSource(plan, secret),
      });
      files[`external-secrets/${secret.name}.yaml`] = header + stableYaml(doc);
    }
  }

  // The platform's own objects, the same list `cto up` creates (both formats: they are no chart);
  // in `manifests` with Argo CD's sync wave after the charts that serve their kinds.
  const platformWave = platformObjectsWave(plan, rendered.platformObjects);
  for (const object of rendered.platformObjects) {
    const synced = options.format === "manifests" ? withArgoCdSync(object, platformWave) : object;
    files[platformObjectFile(object)] = header + stableYaml(synced);
  }
  // The security feature's objects, built by the functions components/security.ts creates them with.
  const securityObjects = securityFiles(plan, rendered, options.format);
  for (const [path, object] of Object.entries(securityObjects)) files[path] = header + stableYaml(object);
  // The webhooks Ingress components/ingress.ts creates, from the same function.
  const webhookIngress = webhookIngressObject(plan, rendered);
  const webhookIngressFile = webhookIngress ? `ingress/ingress-${webhookIngress.metadata.name}.yaml` : null;
  if (webhookIngress && webhookIngressFile) files[webhookIngressFile] = header + stableYaml(webhookIngress);
  // The tunnel relay components/tunnel.ts creates, from the same function (its token: the `tunnel` Secret).
  const tunnel = tunnelDeploymentObject(plan, rendered);
  const tunnelFile = tunnel ? `tunnel/deployment-${tunnel.metadata.name}.yaml` : null;
  if (tunnel && tunnelFile) files[tunnelFile] = header + stableYaml(tunnel);

  const paths = [...Object.keys(files), "README.md"].sort();
  files["README.md"] = engine.renderText("output/README.md.hbs", {
    ...context,
    format: options.format,
    secretStore: options.secretStore,
    files: paths,
    secretList: Object.values(rendered.secrets).sort((a, b) => (a.name < b.name ? -1 : 1)),
    hostList: Object.entries(rendered.ingressHosts).map(([role, host]) => ({ role, host })),
    smtpSecret: context.mail?.hasPassword ? (rendered.secrets.smtp ?? null) : null,
    pullSecret: registryPullSecret(plan, rendered),
    components: charted.map((c) => c.name),
    platformObjectFiles: rendered.platformObjects.map((o) => platformObjectFile(o)),
    platformWave,
    webhookIngressFile,
    tunnelFile,
    tunnelRelay: plan.github.tunnel.provider,
    security: {
      issuer: Object.keys(securityObjects).find((f) => f.startsWith("security/clusterissuer-")) ?? null,
      certManager: certManagerComponent(plan)?.name ?? null,
      policies: Object.keys(securityObjects)
        .filter((f) => f.startsWith("security/networkpolicy-"))
        .sort(),
    },
  });
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Argo CD's annotations on the objects of `--format manifests` that need a chart's CRDs first. */
export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";
export const SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options";
/** Lets Argo CD's first sync skip the dry run of an object whose CRD another Application installs. */
export const SKIP_DRY_RUN_ON_MISSING_RESOURCE = "SkipDryRunOnMissingResource=true";

type PlanComponent = Plan["components"][number];

/**
 * The Argo CD sync wave of a plan component's Application: its `install_order` from the profile.
 * Every other wave of `--format manifests` is derived from these, here, so they cannot drift.
 */
function applicationWave(component: PlanComponent): number {
  return component.installOrder;
}

/**
 * The plan components whose charts install the CRDs of the custom kinds cto writes, by kind
 * (Argo Workflows: WorkflowTemplate; Argo Events: EventBus, EventSource, Sensor; cert-manager:
 * ClusterIssuer).
 */
const CHART_COMPONENT_OF_KIND: Readonly<Record<string, string>> = {
  WorkflowTemplate: "argo-workflows",
  EventBus: "argo-events",
  EventSource: "argo-events",
  Sensor: "argo-events",
  ClusterIssuer: "cert-manager",
};

/** The first wave after every chart Application of the plan that serves one of these objects' kinds (0: none). */
function waveAfterCharts(plan: Plan, objects: readonly PlatformObject[]): number {
  const waves = [...new Set(objects.map((o) => CHART_COMPONENT_OF_KIND[o.kind]))]
    .map((name) => plan.components.find((c) => c.name === name))
    .filter((c): c is PlanComponent => !!c)
    .map((c) => applicationWave(c) + 1);
  return Math.max(0, ...waves);
}

/**
 * The object with Argo CD's sync annotations added to its own: its wave and, when a chart's CRD
 * serves its kind, `SkipDryRunOnMissingResource` (the first sync's dry run would refuse it before
 * that chart's Application has installed the CRD).
 */
function withArgoCdSync(object: PlatformObject, wave: number): PlatformObject {
  const annotations = {
    ...(object.metadata.annotations ?? {}),
    [SYNC_WAVE_ANNOTATION]: String(wave),
    ...(object.kind in CHART_COMPONENT_OF_KIND ? { [SYNC_OPTIONS_ANNOTATION]: SKIP_DRY_RUN_ON_MISSING_RESOURCE } : {}),
  };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/**
 * The Argo CD wave of the platform's own objects (`platform/`) in `--format manifests`. They sync
 * together, in one wave, as `cto up` creates them after the Argo stack: the wave after every chart
 * Application that serves one of their kinds (Argo Workflows, Argo Events), and not before the
 * controller component's own place in the install order.
 */
function platformObjectsWave(plan: Plan, objects: readonly PlatformObject[]): number {
  const controller = plan.components.find((c) => c.name === "controller");
  return Math.max(waveAfterCharts(plan, objects), ...(controller ? [applicationWave(controller)] : []));
}

/**
 * The security feature's objects by file (`security/clusterissuer-<name>.yaml`,
 * `security/networkpolicy-<namespace>-<name>.yaml`): exactly what components/security.ts creates.
 * In the `manifests` format the ClusterIssuer also carries Argo CD's sync wave one after the
 * cert-manager Application's (whose wave is its install order), so Argo CD applies it once
 * cert-manager's CRDs exist, and `SkipDryRunOnMissingResource` so the first sync's dry run does
 * not refuse it before they do.
 */
export function securityFiles(
  plan: Plan,
  rendered: RenderedValues,
  format: RenderFormat,
): Record<string, PlatformObject> {
  const files: Record<string, PlatformObject> = {};
  const issuer = clusterIssuerObject(plan, rendered.ingress);
  const certManager = certManagerComponent(plan);
  if (issuer && certManager) {
    const object = format === "manifests" ? withArgoCdSync(issuer, waveAfterCharts(plan, [issuer])) : issuer;
    files[`security/clusterissuer-${issuer.metadata.name}.yaml`] = object;
  }
  for (const policy of networkPolicyObjects(plan)) {
    files[`security/networkpolicy-${policy.metadata.namespace}-${policy.metadata.name}.yaml`] = policy;
  }
  return files;
}

/**
 * How the ExternalSecret of a registry pull secret is filled: from the password alone (property
 * `password` of the store's entry), the `.dockerconfigjson` built by the template with the
 * registry host and `registry.username`, as `cto up` builds it; null for any other Secret.
 */
export function pullSecretSource(
  plan: Plan,
  secret: RenderedValues["secrets"][string],
): { property: string; template: string } | null {
  if (secret.type !== "kubernetes.io/dockerconfigjson") return null;
  return {
    property: REGISTRY_PASSWORD_PROPERTY,
    template: dockerConfigTemplate(registryHost(plan.registry.url), plan.registry.username ?? ""),
  };
}

/** The registry pull secret's parts for the README; null when the platform has none. */
function registryPullSecret(plan: Plan, rendered: RenderedValues) {
  const secret = Object.values(rendered.secrets).find((s) => pullSecretSource(plan, s));
  if (!secret) return null;
  return {
    name: secret.name,
    namespace: secret.namespace,
    host: registryHost(plan.registry.url),
    username: plan.registry.username ?? "",
    property: REGISTRY_PASSWORD_PROPERTY,
  };
}

/** Where `cto render` writes a platform object: `platform/<kind>-<name>.yaml`. */
export function platformObjectFile(object: PlatformObject): string {
  return `platform/${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

const stateSchema = z.strictObject({
  version: z.literal(1),
  files: z.array(z.string()),
  random: z.record(z.string(), z.string()),
});

/** What a previous render left in the output directory. */
export type RenderState = z.infer<typeof stateSchema>;

/** Reads the state file of an output directory; an empty state when there is none. */
export function readRenderState(dir: string): RenderState {
  const path = join(dir, RENDER_STATE_FILE);
  if (!existsSync(path)) return { version: 1, files: [], random: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message})`, {
      hint: `restore it from version control; deleting it makes cto render generate new random values`,
    });
  }
  const result = stateSchema.safeParse(parsed);
  if (!result.success) {
    throw new UserError(`${path}: not a cto render state file`, { hint: "restore it from version control" });
  }
  return result.data;
}

/** What writing changed. */
export interface WriteSummary {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Writes files into `dir` (created if missing): each file only when its content changed, through a
 * temporary file and a rename; then removes files the previous state lists that are not produced
 * any more; then writes the new state.
 */
export function writeRenderedFiles(dir: string, files: RenderedFiles, state: RenderState): WriteSummary {
  const previous = readRenderState(dir);
  const summary: WriteSummary = { written: [], unchanged: [], removed: [] };
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const target = safeJoin(dir, path);
    if (existsSync(target) && readFileSync(target, "utf8") === content) {
      summary.unchanged.push(path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}`;
    writeFileSync(temp, content, { mode: 0o644 });
    renameSync(temp, target);
    summary.written.push(path);
  }
  for (const path of previous.files) {
    if (path in files) continue;
    const target = safeJoin(dir, path);
    if (existsSync(target)) {
      rmSync(target);
      summary.removed.push(path);
    }
  }
  const nextState = stableJson({ version: 1, files: Object.keys(files).sort(), random: state.random });
  writeFileSync(join(dir, RENDER_STATE_FILE), nextState, { mode: 0o644 });
  return summary;
}

/** A path inside `dir`; refuses absolute paths and `..` (paths come from names in cto.yaml). */
function safeJoin(dir: string, path: string): string {
  const clean = normalize(path);
  if (isAbsolute(clean) || clean.split(sep).includes("..")) {
    throw new UserError(`refusing to write outside the output directory: ${path}`);
  }
  return join(dir, clean);
}

export interface RenderToDirectoryOptions extends Omit<RenderInputs, "randomStore">, RenderFilesOptions {
  /** Output directory. */
  dir: string;
}

/**
 * Renders a plan into a directory: reads the directory's state (stored random values), renders,
 * lays out the files, and writes them. Everything is rendered before anything is written, so a
 * template or configuration error leaves the directory as it was.
 */
export function renderToDirectory(
  plan: Plan,
  options: RenderToDirectoryOptions,
): WriteSummary & { files: RenderedFiles } {
  const state = readRenderState(options.dir);
  const randomStore = { ...state.random };
  const rendered = renderPlatform(plan, { ...options, randomStore });
  const files = renderFiles(plan, rendered, options);
  const summary = writeRenderedFiles(options.dir, files, { ...state, random: randomStore });
  return { ...summary, files };
}
