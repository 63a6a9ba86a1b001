/**
 * The resolver: config + profile + environment → one fully defaulted, validated `Plan`, plus the
 * secret values it needs (`PlanSecrets`). Pure apart from reading GitHub App key files.
 *
 * Order: environment overrides are merged over the top-level document; the profile supplies
 * feature defaults, component list, cluster sizes (simulated nodes grown to fit what the profile
 * can request with every allowed feature on, `node-size.ts`) and agent resources; features are checked against what the profile
 * allows and what they need (backup → bucket, HA → three nodes, …);
 * charts come from the release in versions.yaml, then `charts.default.repository` (a mirror), then
 * `charts.<component>`. Every problem is collected and thrown together as one `ConfigError`.
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { ConfigError, type ConfigIssue } from "../config/errors.js";
import { ctoHome } from "../config/paths.js";
import {
  CLUSTER_PROVIDERS,
  chartSourceSchema,
  ctoConfigSchema,
  dnsLabel,
  type CtoConfig,
  type EnvironmentOverrides,
} from "../config/schema.js";
import { suggestion } from "../config/suggest.js";
import type { Catalog, Profile } from "./load.js";
import { mailPlan } from "./mail.js";
import { defaultSimulatedNodeSize } from "./node-size.js";
import type {
  AgentPlan,
  ImageRef,
  ImagesPlan,
  ChartPlan,
  ClusterPlan,
  ComponentPlan,
  FeaturePlan,
  GitHubAppPlan,
  Plan,
  PlanSecrets,
  RegistryPlan,
} from "./plan.js";
import { PLATFORM_LABEL } from "./plan.js";
import { parseCpu, parseMemory } from "./quantity.js";
import type { PlanDemand } from "./requests.js";
import { requirementsFor, type Requirements } from "./requirements.js";
import { publicWebhookUrl, smeeChannelProblem } from "./webhooks.js";
import { BUILTIN_COMPONENTS, FEATURE_NAMES, type FeatureName, type ImagePin, type ReleaseSpec } from "./schema.js";

export interface ResolveOptions {
  /** Environment (= stack) name, e.g. "dev". */
  environment: string;
  /** Profile to use instead of the config's (e.g. `--profile`). */
  profile?: string;
  /** Platform release to use instead of the config's (e.g. `--release`). */
  release?: string;
  /** cto's home directory (kubeconfigs go under `clusters/`). Default: `ctoHome()`. */
  home?: string;
  /** Directory relative key paths are resolved against: the config file's. Default: the cwd. */
  baseDir?: string;
  /** The config file, for messages. Default: "cto.yaml". */
  file?: string;
  /** For `~` in paths (HOME). Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedPlan {
  plan: Plan;
  secrets: PlanSecrets;
}

/** `charts.default.repository`: one mirror serving every chart (chart names and versions unchanged). */
export const CHART_DEFAULT_KEY = "default";
/** GitHub refuses App names longer than this. */
export const GITHUB_APP_NAME_MAX = 34;
/** Ports the kind cluster publishes on this machine (ingress, Argo CD, Argo Workflows, Grafana). */
export const KIND_PORT_MAPPINGS = [80, 443, 8080, 2746, 3000];
export const LOCAL_REGISTRY = "localhost:5000";
const MAX_KEY_FILE_BYTES = 64 * 1024;

const FEATURE_KEYS: Record<FeatureName, keyof FeaturePlan> = {
  monitoring: "monitoring",
  databases: "databases",
  mail_notifications: "mailNotifications",
  backup: "backup",
  high_availability: "highAvailability",
  security: "security",
};

/**
 * Resolves the plan for one environment.
 * @throws ConfigError listing every problem (unknown environment/profile/release, features the
 * profile does not allow or whose needs are unmet, chart overrides for unknown components, the
 * controller chart repository missing, unreadable key files, …), each with its config path and fix.
 */
export async function resolvePlan(config: CtoConfig, opts: ResolveOptions, catalog: Catalog): Promise<ResolvedPlan> {
  const file = opts.file ?? "cto.yaml";
  const env = opts.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const issue = (configPath: string, message: string, hint?: string) =>
    issues.push({ file, path: configPath, message, ...(hint ? { hint } : {}) });
  const fail = () => new ConfigError(issues);

  // Environment and its overrides.
  const environment = opts.environment;
  const envNames = Object.keys(config.environments);
  if (!dnsLabel.safeParse(environment).success) {
    issue(
      "",
      `environment name "${environment}" is not valid`,
      "use lowercase letters, digits and '-' (e.g. dev, staging, prod)",
    );
    throw fail();
  }
  if (envNames.length > 0 && !envNames.includes(environment)) {
    issue(
      "environments",
      `environment \`${environment}\` is not defined`,
      suggestion(environment, envNames, "defined environments"),
    );
    throw fail();
  }
  const overrides: EnvironmentOverrides = config.environments[environment] ?? {};
  const envPath = `environments.${environment}`;
  /** Where a value came from: the environment override when it sets it, else the top level. */
  const from = (...segments: string[]) =>
    valueAt(overrides, segments) !== undefined ? `${envPath}.${segments.join(".")}` : segments.join(".");

  const merged = mergeOverrides(config, overrides, issues, file, envPath);
  if (!merged) throw fail();

  // Profile and release.
  const profileName = opts.profile ?? overrides.profile ?? merged.profile;
  const profile = catalog.profiles[profileName];
  if (!profile) {
    const where = opts.profile !== undefined ? "--profile" : from("profile");
    issue(
      where,
      `unknown profile \`${profileName}\``,
      suggestion(profileName, Object.keys(catalog.profiles), "profiles"),
    );
  }
  const releaseName = opts.release ?? overrides.release ?? merged.release ?? catalog.latestRelease;
  const release = catalog.releases[releaseName];
  if (!release) {
    const where = opts.release !== undefined ? "--release" : from("release");
    issue(
      where,
      `unknown platform release \`${releaseName}\``,
      `use one of ${Object.keys(catalog.releases).sort().join(", ")}, or leave release unset for the newest (${catalog.latestRelease})`,
    );
  }
  if (!profile || !release) throw fail();
  applyEnvironmentDefaults(merged, profile, env, issue);
  if (issues.length > 0) throw fail();

  const features = resolveFeatures(merged, profile, catalog, from, issue);
  // A feature the profile refuses is one mistake: its needs are not checked as well.
  const allowed = { ...features };
  for (const name of FEATURE_NAMES) {
    if (!profile.allowed_features.includes(name)) allowed[FEATURE_KEYS[name]] = false;
  }
  checkFeatureNeeds(merged, profile, allowed, from, issue);
  checkSshHosts(merged, from, issue);

  const components = resolveComponents(merged, profile, release, catalog, features, from, issue);
  const namespaces: Record<string, string> = { platform: merged.platform.namespace };
  for (const c of profile.components) {
    if (c.namespace !== undefined && components.some((p) => p.name === c.name))
      namespaces[c.namespace_role] = c.namespace;
  }

  const agents = resolveAgents(merged, profile);
  const github = resolveGitHub(merged, agents, issue);
  const registry = resolveRegistry(merged, issue);
  const images = resolveImages(merged, release, releaseName, registry, agents, from, issue);
  // Simulated nodes are sized for all the profile allows (every allowed feature on), so switching
  // a feature on later neither resizes the cluster nor needs a bigger one than the default.
  const capacityFeatures = { ...features };
  for (const name of profile.allowed_features) capacityFeatures[FEATURE_KEYS[name]] = true;
  const demand: PlanDemand = {
    components: resolveComponents(merged, profile, release, catalog, capacityFeatures, from, () => undefined),
    agents,
    features: capacityFeatures,
  };
  const cluster = resolveCluster(merged, profile, release, demand, opts.home ?? ctoHome(env), env, opts.baseDir);
  const requirements = planRequirements(demand, cluster);
  const secrets = await collectSecrets(merged, agents, opts.baseDir ?? process.cwd(), env, issue);

  if (issues.length > 0) throw fail();

  const plan: Plan = {
    planVersion: 1,
    configVersion: merged.version,
    environment,
    production: overrides.production ?? false,
    release: releaseName,
    profile: {
      name: profile.name,
      description: profile.description,
      estimatedInstallMinutes: profile.estimatedInstallMinutes,
      requirements: {
        memoryGiB: requirements.memoryGiB,
        cpu: requirements.cpu,
        diskGiB: requirements.diskGiB,
        clusterKind: requirements.clusterKind,
      },
    },
    platform: compact({
      name: merged.platform.name,
      domain: merged.platform.domain,
      namespace: merged.platform.namespace,
      ingressType: merged.platform.ingress_type,
      // Only a key of our own: charts write their own app.kubernetes.io/* labels, and ours must not
      // override them (Argo CD finds its settings by `app.kubernetes.io/part-of: argocd`).
      labels: { [PLATFORM_LABEL]: merged.platform.name },
    }),
    namespaces,
    cluster,
    features,
    components,
    agents,
    github,
    registry,
    images,
    ...(features.backup && merged.backup
      ? {
          backup: compact({
            provider: merged.backup.provider,
            bucket: merged.backup.bucket,
            region: merged.backup.region,
            endpoint: merged.backup.endpoint,
            resourceGroup: merged.backup.resource_group,
            storageAccount: merged.backup.storage_account,
            schedule: merged.backup.schedule,
            ttl: merged.backup.ttl,
          }),
        }
      : {}),
    ...(features.mailNotifications && merged.mail?.smtp_host && merged.mail.from
      ? { mail: mailPlan({ ...merged.mail, smtp_host: merged.mail.smtp_host, from: merged.mail.from }, secrets) }
      : {}),
    state: compact({
      backendUrl: merged.state.backend_url,
      secretsProvider: merged.state.secrets_provider ?? "passphrase",
    }),
    secretNames: Object.keys(secrets).sort(),
  };
  return { plan, secrets };
}

type Issue = (configPath: string, message: string, hint?: string) => void;
type From = (...segments: string[]) => string;

/** Chooses the cluster for a config that names none (a test picks `simulated` with it). */
export const CLUSTER_PROVIDER_ENV = "CTO_CLUSTER_PROVIDER";
/** A Helm repository serving every chart, for a config without `charts.default.repository` (offline). */
export const CHART_MIRROR_ENV = "CTO_CHART_MIRROR";

/**
 * What a config leaves to the machine it runs on, filled in place: `cluster.provider` from
 * $CTO_CLUSTER_PROVIDER, else the profile's default; `charts.default.repository` from
 * $CTO_CHART_MIRROR. A value in the config always wins, so the file alone decides when it says.
 */
function applyEnvironmentDefaults(config: CtoConfig, profile: Profile, env: NodeJS.ProcessEnv, issue: Issue): void {
  const chosen = env[CLUSTER_PROVIDER_ENV];
  if (config.cluster.provider === undefined) {
    if (chosen !== undefined && chosen !== "") {
      if ((CLUSTER_PROVIDERS as readonly string[]).includes(chosen)) {
        config.cluster.provider = chosen as (typeof CLUSTER_PROVIDERS)[number];
      } else {
        issue(
          `$${CLUSTER_PROVIDER_ENV}`,
          `"${chosen}" is not a cluster provider`,
          `set it to one of ${CLUSTER_PROVIDERS.join(", ")}, or unset it for the ${profile.name} profile's default (${profile.cluster.provider})`,
        );
      }
    } else {
      config.cluster.provider = profile.cluster.provider;
    }
  }
  const mirror = env[CHART_MIRROR_ENV];
  if (mirror !== undefined && mirror !== "" && config.charts[CHART_DEFAULT_KEY] === undefined) {
    const parsed = chartSourceSchema.shape.repository.safeParse(mirror);
    if (parsed.success) config.charts[CHART_DEFAULT_KEY] = { repository: parsed.data };
    else
      issue(
        `$${CHART_MIRROR_ENV}`,
        `"${mirror}" is not a Helm repository URL`,
        "set it to an https://, http:// or oci:// URL serving every chart (e.g. http://127.0.0.1:8879), or unset it",
      );
  }
}

/** The config with `environments.<env>` merged over it (maps by key; lists and scalars replace), re-validated. */
function mergeOverrides(
  config: CtoConfig,
  overrides: EnvironmentOverrides,
  issues: ConfigIssue[],
  file: string,
  envPath: string,
): CtoConfig | undefined {
  const { production: _p, profile: _pr, release: _r, ...sections } = overrides;
  const merged = deepMerge(structuredClone(config), sections as Record<string, unknown>);
  const result = ctoConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  for (const zi of result.error.issues) {
    const segments = zi.path.map(String);
    const inOverride = valueAt(sections, segments) !== undefined;
    issues.push({
      file,
      path: (inOverride ? [envPath, ...segments] : segments).join("."),
      message: `after merging ${envPath}: ${zi.message}`,
    });
  }
  return undefined;
}

/**
 * k3s over SSH: cto connects as root and never runs sudo, so another user is refused here, before
 * anything runs; `install_script_url` is refused because no install script runs any more.
 */
function checkSshHosts(config: CtoConfig, from: From, issue: Issue): void {
  const c = config.cluster;
  c.nodes.forEach((node, i) => {
    if (node.user !== "root") {
      issue(
        `${from("cluster", "nodes")}[${i}].user`,
        `${node.host}: cto installs k3s over SSH as root and never runs sudo; user ${node.user} is not root`,
        "set user: root (or remove it) and allow root to log in with a key on the host (sshd_config: PermitRootLogin prohibit-password); " +
          "or install k3s yourself and use cluster.provider: existing",
      );
    }
  });
  if (c.install_script_url !== undefined) {
    issue(
      from("cluster", "install_script_url"),
      "cto no longer runs the k3s install script: SSH hosts get the k3s release binary, SHA-256 checked, copied over SSH",
      "remove install_script_url; for an air-gapped mirror of the k3s release set CTO_TOOLS_MIRROR_K3S=<release directory url> (or CTO_TOOLS_MIRROR)",
    );
  }
}

function resolveFeatures(config: CtoConfig, profile: Profile, catalog: Catalog, from: From, issue: Issue): FeaturePlan {
  const features = {} as FeaturePlan;
  for (const name of FEATURE_NAMES) {
    const on = config.features[name] ?? profile.features[name];
    features[FEATURE_KEYS[name]] = on;
    if (on && !profile.allowed_features.includes(name)) {
      const allowing = Object.values(catalog.profiles)
        .filter((p) => p.allowed_features.includes(name))
        .map((p) => p.name)
        .sort();
      issue(
        from("features", name),
        `${name} is not available in the ${profile.name} profile`,
        allowing.length > 0
          ? `use profile ${allowing.join(" or ")}, or set features.${name}: false`
          : `set features.${name}: false`,
      );
    }
  }
  return features;
}

/** Features whose needs the config must meet: a bucket for backup, three nodes for HA, … */
function checkFeatureNeeds(config: CtoConfig, profile: Profile, f: FeaturePlan, from: From, issue: Issue): void {
  const why = (name: FeatureName) =>
    config.features[name] === undefined ? ` (a default of the ${profile.name} profile)` : "";
  if (f.backup) {
    const b = config.backup;
    if (!b?.bucket) {
      issue(
        from("backup", "bucket"),
        `features.backup is on${why("backup")} but backup.bucket is not set`,
        "set backup.bucket (with backup.region or backup.endpoint), or set features.backup: false",
      );
    } else if (b.provider === "s3-compatible" && !b.endpoint) {
      issue(
        from("backup", "endpoint"),
        "backup.provider s3-compatible needs backup.endpoint",
        "set backup.endpoint to the S3 API URL (e.g. https://s3.acme.example), or set backup.provider: aws",
      );
    } else if (b.provider === "aws" && !b.region) {
      issue(from("backup", "region"), "backup.provider aws needs backup.region", "set backup.region, e.g. us-west-2");
    } else if (b.provider === "azure") {
      // velero-plugin-for-microsoft-azure requires both in the BackupStorageLocation's config.
      for (const key of ["resource_group", "storage_account"] as const) {
        if (!b[key]) {
          issue(
            from("backup", key),
            `backup.provider azure needs backup.${key}`,
            key === "resource_group"
              ? "set backup.resource_group to the resource group of the storage account, e.g. cto-backups"
              : "set backup.storage_account to the storage account that holds the backup.bucket container",
          );
        }
      }
    }
    if (b?.provider !== "azure") {
      for (const key of ["resource_group", "storage_account"] as const) {
        if (b?.[key])
          issue(from("backup", key), `backup.${key} is for backup.provider azure only`, `remove backup.${key}`);
      }
    }
  }
  if (f.highAvailability) {
    const c = config.cluster;
    const ha = `features.high_availability is on${why("high_availability")}`;
    const off = "or set features.high_availability: false";
    if (c.provider === "kind" || c.provider === "minikube") {
      issue(
        from("cluster", "provider"),
        `${ha} but a ${c.provider} cluster runs on one machine and cannot be highly available`,
        `use cluster.provider k3s with three servers in cluster.nodes, or existing, ${off}`,
      );
    } else if (c.provider === "k3s") {
      const servers = c.nodes.filter((n) => n.role === "server").length;
      if (servers < 3) {
        issue(
          from("cluster", "nodes"),
          `${ha} but cluster.nodes has ${servers} k3s server${servers === 1 ? "" : "s"}; high availability needs at least 3`,
          `list three hosts with role: server under cluster.nodes, ${off}`,
        );
      }
    } else if (c.provider === "simulated") {
      const nodes = c.simulated.nodes ?? profile.cluster.nodes;
      if (nodes < 3) {
        issue(
          from("cluster", "simulated", "nodes"),
          `${ha} but the simulated cluster has ${nodes} node${nodes === 1 ? "" : "s"}; high availability needs at least 3`,
          `set cluster.simulated.nodes: 3, ${off}`,
        );
      }
    }
  }
  if (f.mailNotifications && (!config.mail?.smtp_host || !config.mail.from)) {
    issue(
      config.mail?.smtp_host ? "mail.from" : "mail.smtp_host",
      `features.mail_notifications is on${why("mail_notifications")} but mail.smtp_host and mail.from are not both set`,
      "set mail.smtp_host and mail.from (and mail.smtp_password), or set features.mail_notifications: false",
    );
  }
  if (f.security && !config.platform.domain) {
    issue(
      from("platform", "domain"),
      `features.security is on${why("security")} but platform.domain is not set: certificates need a domain`,
      "set platform.domain (e.g. agents.acme.example), or set features.security: false",
    );
  }
  const tunnel = config.github.tunnel;
  if (tunnel.provider === "smee" && !tunnel.url) {
    issue(
      "github.tunnel.url",
      "github.tunnel.provider smee needs the channel URL",
      "set github.tunnel.url to your smee.io channel",
    );
  }
  // A tunnel whose public address is unknown would leave the Apps without a webhook URL.
  if (tunnel.provider === "cloudflare" && !tunnel.url && !config.github.webhook_url) {
    issue(
      "github.tunnel.url",
      "github.tunnel.provider cloudflare needs the tunnel's public URL, so the Apps' webhook URL is known",
      "set github.tunnel.url to https://<the public hostname you route to this tunnel in Cloudflare>, e.g. https://hooks.acme.example",
    );
  }
  if (tunnel.provider === "ngrok" && !tunnel.url && !config.github.webhook_url) {
    issue(
      "github.tunnel.url",
      "github.tunnel.provider ngrok needs a reserved address: one ngrok assigns at start changes, and the Apps' webhook URL with it",
      "set github.tunnel.url to your ngrok domain, e.g. https://acme.ngrok.app (ngrok dashboard → Domains)",
    );
  }
}

function resolveComponents(
  config: CtoConfig,
  profile: Profile,
  release: ReleaseSpec,
  catalog: Catalog,
  features: FeaturePlan,
  from: From,
  issue: Issue,
): ComponentPlan[] {
  for (const key of Object.keys(config.charts)) {
    if (key !== CHART_DEFAULT_KEY && !catalog.componentNames.includes(key)) {
      issue(
        from("charts", key),
        `unknown component \`${key}\``,
        suggestion(key, [...catalog.componentNames, CHART_DEFAULT_KEY], "components"),
      );
    }
  }
  const mirror = config.charts[CHART_DEFAULT_KEY];
  if (mirror && (mirror.chart !== undefined || mirror.version !== undefined)) {
    issue(
      from("charts", CHART_DEFAULT_KEY),
      "charts.default may only set `repository` (a mirror serving every chart)",
      "set chart names and versions per component under charts.<component>",
    );
  }

  // The ingress controller `platform.ingress_type` names, when there is a domain to serve; a release
  // that pins no chart for it (before 0.3.0) installs none, as it always did.
  const ingress = (c: Profile["components"][number]) =>
    c.ingress !== undefined &&
    config.platform.domain !== undefined &&
    config.platform.ingress_type === c.ingress &&
    (release.charts[c.name] !== undefined || config.charts[c.name]?.chart !== undefined);
  const enabled = profile.components.filter(
    (c) => c.required || (c.feature && features[FEATURE_KEYS[c.feature]]) || ingress(c),
  );
  const names = new Set(enabled.map((c) => c.name));
  const plans: ComponentPlan[] = [];
  for (const c of enabled) {
    for (const dependency of c.dependencies) {
      if (!names.has(dependency)) {
        issue(
          "features",
          `component \`${c.name}\` needs \`${dependency}\`, which is switched off`,
          "turn on the feature that installs it",
        );
      }
    }
    const pin = release.charts[c.name];
    const override = config.charts[c.name];
    // A component cto ships itself takes a chart only when one is configured for it (a fork or
    // a mirror of the upstream chart); a mirror of every chart does not replace it.
    const builtin = (BUILTIN_COMPONENTS as readonly string[]).includes(c.name);
    const repository = override?.repository ?? (builtin ? undefined : (mirror?.repository ?? pin?.repository));
    const chart: ChartPlan | undefined =
      pin || override?.chart || (builtin && override?.repository)
        ? {
            repository: repository ?? "",
            chart: override?.chart ?? pin?.chart ?? c.name,
            version: override?.version ?? pin?.version ?? "",
          }
        : undefined;
    if (chart && !repository) {
      issue(
        from("charts", c.name, "repository"),
        `the ${c.name} chart (${chart.chart}) has no public repository, and none is set`,
        `set charts.${c.name}.repository to where you publish it (e.g. oci://registry.acme.example/charts), or charts.default.repository to a mirror`,
      );
    }
    if (chart && !chart.version && builtin) {
      issue(
        from("charts", c.name, "version"),
        `charts.${c.name}.repository installs a chart of your own instead of the ${c.name} objects cto ships, and no version of it is set`,
        `set charts.${c.name}.version (and charts.${c.name}.chart if it is not named ${c.name}), or remove charts.${c.name} to install the objects cto ships`,
      );
    } else if (chart && !chart.version) {
      issue(
        from("charts", c.name, "version"),
        `no version is pinned for the ${c.name} chart`,
        `set charts.${c.name}.version`,
      );
    }
    plans.push({
      name: c.name,
      category: c.category,
      required: c.required,
      dependencies: [...c.dependencies],
      installOrder: c.install_order,
      namespace: c.namespace ?? config.platform.namespace,
      ...(chart ? { chart } : {}),
    });
  }
  return plans.sort((a, b) => a.installOrder - b.installOrder || a.name.localeCompare(b.name));
}

function resolveAgents(config: CtoConfig, profile: Profile): AgentPlan[] {
  return Object.entries(config.agents)
    .filter(([, a]) => a.enabled)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, a]) =>
      compact({
        name,
        githubAppId: a.github_app_id ?? config.github.apps[name]?.id,
        cli: a.cli,
        model: a.model,
        resources: {
          cpu: String(a.resources.cpu ?? profile.agent_defaults.cpu),
          memory: a.resources.memory ?? profile.agent_defaults.memory,
        },
        features: { ...a.features },
      }),
    );
}

function resolveGitHub(config: CtoConfig, agents: AgentPlan[], issue: Issue): Plan["github"] {
  const gh = config.github;
  const agentNames = Object.keys(config.agents);
  for (const name of Object.keys(gh.apps)) {
    if (!agentNames.includes(name)) {
      issue(
        `github.apps.${name}`,
        `there is no agent \`${name}\` for this GitHub App`,
        agentNames.length > 0 ? suggestion(name, agentNames, "agents") : `add agents.${name}: { enabled: true }`,
      );
    }
  }
  const apps: GitHubAppPlan[] = [];
  for (const agent of agents) {
    const app = gh.apps[agent.name];
    const agentAppId = config.agents[agent.name]?.github_app_id;
    if (app?.id && agentAppId && app.id !== agentAppId) {
      issue(
        `agents.${agent.name}.github_app_id`,
        `is ${agentAppId} but github.apps.${agent.name}.id is ${app.id}`,
        "give the App id in one place (github.apps.<agent>.id)",
      );
    }
    const appName = app?.slug ?? `${gh.organization}-${agent.name}`.toLowerCase();
    if (appName.length > GITHUB_APP_NAME_MAX) {
      issue(
        `github.apps.${agent.name}.slug`,
        `the GitHub App name "${appName}" is ${appName.length} characters; GitHub allows at most ${GITHUB_APP_NAME_MAX}`,
        `set github.apps.${agent.name}.slug to a shorter name`,
      );
    }
    apps.push(
      compact({
        agent: agent.name,
        appId: app?.id ?? agentAppId,
        clientId: app?.client_id,
        slug: app?.slug,
        appName,
        privateKeyPath: app?.private_key_path,
      }),
    );
  }
  const domain = config.platform.domain;
  const webhookUrl = publicWebhookUrl({
    webhookUrl: gh.webhook_url,
    tunnel: gh.tunnel,
    domain,
    ingressType: config.platform.ingress_type,
  });
  if (gh.tunnel.provider === "smee" && webhookUrl) {
    const problem = smeeChannelProblem(
      webhookUrl,
      agents.map((a) => a.name),
    );
    if (problem) {
      issue(
        gh.webhook_url ? "github.webhook_url" : "github.tunnel.url",
        `${problem}; with a smee relay each agent's App delivers to its own channel, <channel>-<agent>`,
        "set github.tunnel.url to a channel from https://smee.io/new (and no github.webhook_url)",
      );
    }
  }
  return compact({
    organization: gh.organization,
    repository: gh.repository,
    baseUrl: gh.base_url,
    webhookUrl,
    apps,
    tunnel: compact({ provider: gh.tunnel.provider, url: gh.tunnel.url }),
  });
}

const REGISTRY_HOSTS: Partial<Record<RegistryPlan["type"], string>> = {
  local: LOCAL_REGISTRY,
  ghcr: "ghcr.io",
  dockerhub: "docker.io",
  gcr: "gcr.io",
};
const REGISTRY_EXAMPLES: Partial<Record<RegistryPlan["type"], string>> = {
  ecr: "123456789012.dkr.ecr.us-west-2.amazonaws.com",
  acr: "acme.azurecr.io",
  generic: "registry.acme.example",
};

function resolveRegistry(config: CtoConfig, issue: Issue): RegistryPlan {
  const r = config.registry;
  const url = r.url ?? REGISTRY_HOSTS[r.type];
  if (!url) {
    issue(
      "registry.url",
      `registry type ${r.type} needs registry.url`,
      `set registry.url, e.g. ${REGISTRY_EXAMPLES[r.type]}`,
    );
  }
  const owned = r.type === "ghcr" || r.type === "dockerhub";
  return compact({
    type: r.type,
    url: url ?? "",
    namespace: r.namespace ?? (owned ? config.github.organization.toLowerCase() : ""),
    username: r.username,
    hasCredentials: r.password !== undefined,
  });
}

/**
 * The platform's images: the release's pins, or with `registry.platform_images: mirror` the same
 * images in the configured registry (`<url>/<namespace>/<last part of the pinned repository>`,
 * same tag). An agent whose CLI has no pinned image is refused here when its CLI is set; the
 * default CLI (templates/agent-roles.yaml) is checked when the plan is rendered.
 */
function resolveImages(
  config: CtoConfig,
  release: ReleaseSpec,
  releaseName: string,
  registry: RegistryPlan,
  agents: AgentPlan[],
  from: (...segments: string[]) => string,
  issue: Issue,
): ImagesPlan {
  const source = config.registry.platform_images;
  if (source === "mirror" && config.registry.url === undefined && config.registry.type === "local") {
    issue(
      from("registry", "platform_images"),
      "mirror relocates the platform's images to registry.url, and none is set (type local would mean a registry on this machine that nobody fills)",
      "set registry.url to the registry holding copies of the images, or remove platform_images to pull them from where the release pins them",
    );
  }
  const place = (pin: ImagePin): ImageRef => {
    if (source === "publisher") return { registry: pin.registry, repository: pin.repository, tag: pin.tag };
    const [host, ...path] = registry.url.split("/");
    const name = pin.repository.split("/").pop() as string;
    return {
      registry: host ?? registry.url,
      repository: [...path, registry.namespace, name].filter(Boolean).join("/"),
      tag: pin.tag,
    };
  };
  for (const agent of agents) {
    if (agent.cli !== undefined && !(agent.cli in release.images.agents)) {
      issue(
        from("agents", agent.name, "cli"),
        `release ${releaseName} pins no image for the ${agent.cli} CLI`,
        `use one of ${Object.keys(release.images.agents).sort().join(", ")}`,
      );
    }
  }
  return {
    source,
    controller: place(release.images.controller),
    agents: Object.fromEntries(
      Object.entries(release.images.agents)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([cli, pin]) => [cli, place(pin)]),
    ),
    pullSecret: source === "mirror" && registry.hasCredentials,
  };
}

function resolveCluster(
  config: CtoConfig,
  profile: Profile,
  release: ReleaseSpec,
  demand: PlanDemand,
  home: string,
  env: NodeJS.ProcessEnv,
  baseDir: string | undefined,
): ClusterPlan {
  const c = config.cluster;
  const name = c.name ?? config.platform.name;
  const kubeconfigPath = path.join(home, "clusters", name, "kubeconfig");
  switch (c.provider ?? profile.cluster.provider) {
    case "existing":
      return compact({
        provider: "existing",
        name,
        kubeconfig: c.kubeconfig ? localPath(c.kubeconfig, baseDir ?? process.cwd(), env) : undefined,
        context: c.context,
      });
    case "k3s":
      return {
        provider: "k3s",
        name,
        version: c.version ?? release.cluster.k3s,
        binaryPath: path.join(home, "bin", "k3s"),
        nodes: c.nodes.map((n) =>
          compact({ host: n.host, user: n.user, port: n.port, sshKeyPath: n.ssh_key_path, role: n.role, arch: n.arch }),
        ),
        kubeconfigPath,
      };
    case "kind": {
      const version = c.version ?? release.cluster.kind;
      return {
        provider: "kind",
        name,
        version,
        nodeImage: `kindest/node:${version.startsWith("v") ? version : `v${version}`}`,
        portMappings: [...KIND_PORT_MAPPINGS],
        kubeconfigPath,
      };
    }
    case "minikube": {
      // One VM, sized like a simulated node: fitted to the requests unless cto.yaml sets a size.
      const fitted = defaultSimulatedNodeSize(demand, 1, {
        cpu: String(profile.cluster.cpu),
        memory: profile.cluster.memory,
      });
      return {
        provider: "minikube",
        name,
        version: c.version ?? release.cluster.minikube,
        cpus: Math.ceil(parseCpu(c.simulated.cpu ?? fitted.cpu)),
        memoryMiB: Math.round(parseMemory(c.simulated.memory ?? fitted.memory) / 2 ** 20),
        kubeconfigPath,
      };
    }
    case "simulated": {
      // Sizes left unset are fitted to what the plan requests, so the default passes `cto doctor`;
      // sizes set in cto.yaml are kept as given (doctor refuses them when they are too small).
      const nodes = c.simulated.nodes ?? profile.cluster.nodes;
      const fitted = defaultSimulatedNodeSize(demand, nodes, {
        cpu: String(profile.cluster.cpu),
        memory: profile.cluster.memory,
      });
      return {
        provider: "simulated",
        name,
        nodes,
        cpu: c.simulated.cpu !== undefined ? String(c.simulated.cpu) : fitted.cpu,
        memory: c.simulated.memory ?? fitted.memory,
        kubeconfigPath,
      };
    }
  }
}

/**
 * The plan's requirement (`requirements.ts`): its requests with every allowed feature on
 * (`demand`), except high availability where the cluster cannot have it (kind, minikube, a single
 * k3s server: the resolver refuses it there), plus the cluster kind's system share. A minikube VM
 * is reserved whole, so the machine needs at least its size.
 */
function planRequirements(demand: PlanDemand, cluster: ClusterPlan): Requirements {
  const canBeHighlyAvailable =
    cluster.provider === "existing" ||
    (cluster.provider === "simulated" && cluster.nodes >= 3) ||
    (cluster.provider === "k3s" && cluster.nodes.filter((n) => n.role === "server").length >= 3);
  const features = { ...demand.features, highAvailability: demand.features.highAvailability && canBeHighlyAvailable };
  const floor =
    cluster.provider === "minikube" ? { cpu: cluster.cpus, memoryBytes: cluster.memoryMiB * 2 ** 20 } : undefined;
  return requirementsFor({ ...demand, features }, cluster.provider, floor);
}

/** Secret values by name; GitHub App key files are read here. */
async function collectSecrets(
  config: CtoConfig,
  agents: AgentPlan[],
  baseDir: string,
  env: NodeJS.ProcessEnv,
  issue: Issue,
): Promise<PlanSecrets> {
  const secrets: PlanSecrets = {};
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) secrets[name] = value;
  };
  put("github.tunnel.token", config.github.tunnel.token);
  put("registry.password", config.registry.password);
  put("mail.smtp_password", config.mail?.smtp_password);
  for (const agent of agents) {
    const app = config.github.apps[agent.name];
    if (!app) continue;
    const base = `github.apps.${agent.name}`;
    put(`${base}.client_secret`, app.client_secret);
    if (app.private_key !== undefined && app.private_key_path !== undefined) {
      issue(`${base}.private_key`, "is given twice: as private_key and as private_key_path", "keep one of them");
      continue;
    }
    if (app.private_key !== undefined) {
      if (!looksLikePem(app.private_key)) issue(`${base}.private_key`, "is not a PEM private key", PEM_HINT);
      put(`${base}.private_key`, app.private_key);
    } else if (app.private_key_path !== undefined) {
      const key = await readKeyFile(localPath(app.private_key_path, baseDir, env), `${base}.private_key_path`, issue);
      put(`${base}.private_key`, key);
    }
  }
  return secrets;
}

const PEM_HINT = "use the .pem file GitHub gives under the App's settings → Private keys → Generate a private key";

function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(text);
}

async function readKeyFile(file: string, configPath: string, issue: Issue): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      issue(configPath, `${file} is not a file`, PEM_HINT);
      return undefined;
    }
    if (info.size > MAX_KEY_FILE_BYTES) {
      issue(configPath, `${file} is ${info.size} bytes; a private key file is a few KiB`, PEM_HINT);
      return undefined;
    }
    const text = await readFile(file, "utf8");
    if (!looksLikePem(text)) {
      issue(configPath, `${file} is not a PEM private key (no BEGIN/END PRIVATE KEY lines)`, PEM_HINT);
      return undefined;
    }
    return text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    issue(
      configPath,
      code === "ENOENT" ? `${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`,
      code === "ENOENT"
        ? "save the App's private key there (App settings → Private keys → Generate a private key), or fix the path"
        : "check the file's permissions",
    );
    return undefined;
  }
}

/** `~/x` → under HOME; relative → under `baseDir`. */
function localPath(p: string, baseDir: string, env: NodeJS.ProcessEnv): string {
  if (p === "~" || p.startsWith("~/")) return path.join(env.HOME || homedir(), p.slice(1));
  return path.resolve(baseDir, p);
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const s of segments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Merges `over` into `base` (mutating it): objects key by key, everything else replaced. */
function deepMerge<T>(base: T, over: Record<string, unknown>): T {
  const target = base as Record<string, unknown>;
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const existing = target[key];
    target[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : structuredClone(value);
  }
  return base;
}

/** Drops keys whose value is undefined, so plans compare and serialise cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
