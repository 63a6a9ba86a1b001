/**
 * The `cto.yaml` schema: one zod schema from which the `CtoConfig` type is derived.
 *
 * It covers the PRD's `PlatformConfig` (version, profile, platform, github, registry, agents,
 * features) and what an installer needs beyond it (cluster, environments, state, charts, backup).
 *
 * Spelling: snake_case is canonical, exactly as the PRD's appendix writes it
 * (`mail_notifications`, `private_key_path`, `client_id`). camelCase spellings of the same keys are
 * accepted on load and normalised to snake_case before this schema sees them (see `load.ts`).
 *
 * Objects are strict: an unknown key is an error (with a "did you mean" hint from the loader),
 * except where users name things themselves (agents, apps, environments, charts, feature maps).
 */
import { z } from "zod";

/** A DNS-1123 label: what Kubernetes accepts for namespaces and most object names. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message:
      "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  });

/** A DNS-1123 subdomain (domain names, registry hosts). */
export const dnsSubdomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a lowercase DNS name such as agents.example.com",
  });

/** Kubernetes CPU quantity: a number of cores (2, 0.5) or millicores ("500m"). */
export const cpuQuantity = z.union([
  z.number().positive().max(1024),
  z.string().regex(/^([0-9]+(\.[0-9]+)?|[0-9]+m)$/, { message: "must be a CPU quantity such as 2, 0.5 or 500m" }),
]);

/** Kubernetes memory quantity such as 512Mi, 8Gi, 1G. */
export const memoryQuantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/, { message: "must be a memory quantity such as 512Mi or 8Gi" });

/** GitHub organisation or user login: letters, digits, single hyphens. */
export const githubLogin = z
  .string()
  .min(1)
  .max(39)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, {
    message: "must be a GitHub login: letters, digits and single hyphens, at most 39 characters",
  });

/** GitHub repository name (without the owner). */
export const githubRepository = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, { message: "must be a repository name: letters, digits, '.', '_' and '-'" })
  .refine((s) => s !== "." && s !== "..", { message: "must be a repository name, not '.' or '..'" });

/**
 * A path to a local file. Shell metacharacters and NUL are refused because paths can end up in
 * commands run on this machine or over SSH; `..` segments are refused so a config cannot reach
 * outside where its author pointed it by accident.
 */
export const filePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !/[\0\n\r;&|`$<>"'\\*?!{}()[\]]/.test(s), {
    message: "must be a plain file path without shell metacharacters, quotes or newlines",
  })
  .refine((s) => !s.split("/").includes(".."), { message: "must not contain '..' segments; give the path directly" });

/** An http(s) URL. */
export const httpUrl = z
  .string()
  .url()
  .max(2048)
  .refine((s) => /^https?:\/\//.test(s), {
    message: "must be an http:// or https:// URL",
  });

export const PROFILE_NAMES = ["minimal", "standard", "production"] as const;
export const profileName = z.string().min(1).max(63);

export const INGRESS_TYPES = ["none", "nginx", "traefik"] as const;
/** Where the platform's images come from (`registry.platform_images`). */
export const PLATFORM_IMAGE_SOURCES = ["publisher", "mirror"] as const;

export const REGISTRY_TYPES = ["local", "ghcr", "ecr", "gcr", "acr", "dockerhub", "generic"] as const;
export const CLUSTER_PROVIDERS = ["k3s", "kind", "minikube", "existing", "simulated"] as const;

export const resourceRequirementsSchema = z.strictObject({
  cpu: cpuQuantity.optional(),
  memory: memoryQuantity.optional(),
});

export const featureFlagsSchema = z.strictObject({
  monitoring: z.boolean().optional(),
  databases: z.boolean().optional(),
  mail_notifications: z.boolean().optional(),
  backup: z.boolean().optional(),
  high_availability: z.boolean().optional(),
  security: z.boolean().optional(),
});

export const platformSchema = z.strictObject({
  name: dnsLabel,
  domain: dnsSubdomain.optional(),
  namespace: dnsLabel.default("cto"),
  ingress_type: z.enum(INGRESS_TYPES).default("nginx"),
});

/**
 * A numeric GitHub App id. Written quoted (`"${REX_APP_ID}"`, as in the PRD) it is a string,
 * unquoted a YAML number; both are accepted and kept as a string.
 */
export const githubAppId = z
  .union([
    z.string().regex(/^[0-9]+$/, { message: "must be the numeric GitHub App id" }),
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  ])
  .transform((id) => String(id));

export const githubAppSchema = z.strictObject({
  /** GitHub App id (numeric, as a string because it usually comes from `${VAR}`). */
  id: githubAppId.optional(),
  client_id: z.string().min(1).max(100).optional(),
  slug: z.string().min(1).max(100).optional(),
  private_key_path: filePath.optional(),
  /** Secret. PEM contents, usually from an environment variable; prefer `private_key_path`. */
  private_key: z.string().min(1).optional(),
  /** Secret. */
  client_secret: z.string().min(1).optional(),
});

/**
 * `github.webhook_mode` (organization | repository) chose where cto registered an org or repo
 * webhook. That path is gone: every agent's GitHub App delivers its own events, so an extra org or
 * repo webhook would deliver the same events twice (docs/github.md, "Webhooks"). The key is
 * refused, with the fix, rather than silently ignored.
 */
const removedWebhookMode = z
  .unknown()
  .optional()
  .refine((v) => v === undefined, {
    message:
      "is no longer used: GitHub events reach the platform only through each agent's GitHub App webhook (docs/github.md, Webhooks); delete this line (the next cto up removes the org or repository webhook an earlier version created)",
  });

export const TUNNEL_PROVIDERS = ["none", "cloudflare", "ngrok", "smee"] as const;

export const githubSchema = z.strictObject({
  organization: githubLogin,
  repository: githubRepository,
  /** GitHub API base URL; set it for GitHub Enterprise Server. */
  base_url: httpUrl.default("https://api.github.com"),
  /** Removed: GitHub events reach the platform only through the agents' Apps' own webhooks. */
  webhook_mode: removedWebhookMode,
  /** Public webhook URL when it is not derived from the domain (e.g. a tunnel or a proxy). */
  webhook_url: httpUrl.optional(),
  /**
   * Deprecated, unused: each agent's App has its own webhook secret (`github.apps.<agent>.webhook_secret`,
   * stored by `cto github apps create`). Still accepted so existing files load; commands warn.
   */
  webhook_secret: z
    .string()
    .min(16, { message: "must be at least 16 characters; omit it to have one generated" })
    .optional(),
  apps: z.record(dnsLabel, githubAppSchema).default({}),
  tunnel: z
    .strictObject({
      provider: z.enum(TUNNEL_PROVIDERS).default("none"),
      /** Secret: tunnel token (Cloudflare) or authtoken (ngrok). */
      token: z.string().min(1).optional(),
      /** smee-style relay channel URL. */
      url: httpUrl.optional(),
    })
    .default({ provider: "none" }),
});

export const registrySchema = z.strictObject({
  type: z.enum(REGISTRY_TYPES),
  url: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._/-]+)?$/, {
      message: "must be a registry host such as ghcr.io or registry.example.com:5000, without a scheme",
    })
    .optional(),
  namespace: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z0-9._/-]+$/, { message: "must be a lowercase repository path" })
    .optional(),
  username: z.string().min(1).max(255).optional(),
  /** Secret. */
  password: z.string().min(1).optional(),
  /**
   * Where the platform's own images (controller, agent CLIs) are pulled from: `publisher`, the
   * registry the release pins them at (profiles/versions.yaml), or `mirror`, this registry
   * (`<url>/<namespace>/<image>:<pinned tag>`, with the pull secret when a password is set).
   */
  platform_images: z.enum(PLATFORM_IMAGE_SOURCES).default("publisher"),
});

export const agentSchema = z.strictObject({
  enabled: z.boolean().default(true),
  github_app_id: githubAppId.optional(),
  /** Which coding CLI the agent drives (claude, codex, ...). Free text; the platform decides. */
  cli: z.string().min(1).max(63).optional(),
  model: z.string().min(1).max(200).optional(),
  resources: resourceRequirementsSchema.default({}),
  features: z.record(z.string().min(1).max(63), z.boolean()).default({}),
});

export const sshNodeSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:-]+$/, { message: "must be a host name or IP address" }),
  /**
   * The SSH login. cto installs k3s as root and never runs sudo, so the resolver accepts `root` only
   * (another user: exit 2 with the fix, before anything runs).
   */
  user: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[a-z_][a-z0-9_-]*$/, { message: "must be a Unix user name" })
    .default("root"),
  port: z.number().int().min(1).max(65535).default(22),
  ssh_key_path: filePath.optional(),
  role: z.enum(["server", "agent"]).default("agent"),
  /** The host's CPU architecture (`uname -m` x86_64 → amd64, aarch64 → arm64): which k3s binary it gets. */
  arch: z.enum(["amd64", "arm64"]).default("amd64"),
});

export const clusterSchema = z.strictObject({
  /**
   * Where the platform runs. Unset: $CTO_CLUSTER_PROVIDER, else the profile's default (minimal:
   * kind, for a laptop; standard and production: k3s), chosen by the resolver.
   */
  provider: z.enum(CLUSTER_PROVIDERS).optional(),
  /** Cluster name for kind, minikube and simulated clusters. Defaults to the platform name. */
  name: dnsLabel.optional(),
  /** For `existing`: kubeconfig path and context. */
  kubeconfig: filePath.optional(),
  context: z.string().min(1).max(253).optional(),
  /** Kubernetes (k3s, kind node image, minikube) version. */
  version: z
    .string()
    .regex(/^v?[0-9]+\.[0-9]+\.[0-9]+([+-][A-Za-z0-9.+-]+)?$/, { message: "must be a version such as v1.31.4+k3s1" })
    .optional(),
  /**
   * No longer used: cto runs no install script. Refused with a pointer to CTO_TOOLS_MIRROR_K3S
   * (the k3s release mirror) so that an old setting does not silently stop mattering.
   */
  install_script_url: httpUrl.optional(),
  /**
   * Hosts reachable over SSH as root: one server plus agents, or three servers for high
   * availability. Each gets the k3s release binary of its `arch` (downloaded and SHA-256 checked on
   * this machine, copied over SSH, checked again on the host) as a systemd service; no install script.
   */
  nodes: z.array(sshNodeSchema).max(100).default([]),
  /** For `simulated`: node count and per-node capacity. Defaults are sized to the profile. */
  simulated: z
    .strictObject({
      nodes: z.number().int().min(1).max(100).optional(),
      cpu: cpuQuantity.optional(),
      memory: memoryQuantity.optional(),
    })
    .default({}),
});

export const chartSourceSchema = z.strictObject({
  /** Helm repository URL (https://, http:// or oci://). */
  repository: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^(https?|oci):\/\/[^\s]+$/, { message: "must be an https://, http:// or oci:// URL" })
    .optional(),
  chart: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "must be a chart name" })
    .optional(),
  version: z
    .string()
    .min(1)
    .max(64)
    .regex(/^v?[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*$/, { message: "must be a semantic version such as 7.8.0" })
    .optional(),
});

export const stateSchema = z.strictObject({
  /** Any Pulumi backend URL: file://, s3://, gs://, azblob://, https://api.pulumi.com. */
  backend_url: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^(file|s3|gs|azblob|https?):\/\/[^\s]*$/, {
      message: "must be a Pulumi backend URL such as file:///path, s3://bucket or https://api.pulumi.com",
    })
    .optional(),
  /** passphrase (default), or a cloud KMS URL such as awskms://..., gcpkms://..., azurekeyvault://..., hashivault://... */
  secrets_provider: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^(passphrase|(awskms|gcpkms|azurekeyvault|hashivault):\/\/\S+)$/, {
      message: "must be 'passphrase' or a KMS URL such as awskms://alias/cto",
    })
    .optional(),
});

export const backupSchema = z.strictObject({
  provider: z.enum(["aws", "gcp", "azure", "s3-compatible"]).default("s3-compatible"),
  bucket: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9.-]+$/, { message: "must be a bucket name" })
    .optional(),
  region: z.string().min(1).max(63).optional(),
  endpoint: httpUrl.optional(),
  /** Azure only (velero-plugin-for-microsoft-azure): the resource group of the storage account. */
  resource_group: z
    .string()
    .min(1)
    .max(90)
    .regex(/^[-\w.()]*[-\w()]$/, {
      message: "must be an Azure resource group name (letters, digits, - _ . ( ), not ending in a period)",
    })
    .optional(),
  /** Azure only: the storage account holding the container named by `bucket`. */
  storage_account: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, { message: "must be an Azure storage account name (3-24 lowercase letters and digits)" })
    .optional(),
  schedule: z.string().min(9).max(100).default("0 2 * * *"),
  ttl: z
    .string()
    .regex(/^[0-9]+h$/, { message: "must be hours such as 720h" })
    .default("720h"),
});

/** How the connection to the SMTP server is protected. */
export const SMTP_TLS_MODES = ["starttls", "tls", "none"] as const;

export const mailSchema = z.strictObject({
  smtp_host: z.string().min(1).max(253).optional(),
  smtp_port: z.number().int().min(1).max(65535).default(587),
  /**
   * `starttls`: plain connect, then STARTTLS, required (submission, port 587); `tls`: TLS from the
   * first byte (port 465); `none`: no TLS at all (only for a relay on the same host or network).
   * @default `tls` when smtp_port is 465, else `starttls`
   */
  smtp_tls: z.enum(SMTP_TLS_MODES).optional(),
  /** The login; @default the `from` address. */
  smtp_username: z.string().min(1).max(320).optional(),
  from: z.string().email().optional(),
  /** Secret. */
  smtp_password: z.string().min(1).optional(),
});

/**
 * The override form of an object schema: every field optional and without its default, so an
 * override that sets one field does not reset its siblings to their defaults when merged.
 */
function overridesOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    let inner = field as z.ZodType;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    shape[key] = inner.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodObject<{ [K in keyof T]: z.ZodOptional<StripDefault<T[K]>> }>;
}

type StripDefault<S> =
  S extends z.ZodDefault<infer I> ? StripDefault<I> : S extends z.ZodOptional<infer I> ? StripDefault<I> : S;

/**
 * Per-environment overrides: a subset of the top-level document, merged over it by the resolver
 * (maps key by key; lists and scalars replace). Fields carry no defaults here.
 */
export const environmentSchema = z.strictObject({
  /** Marks the stack as production: destroy asks the user to type the stack name. */
  production: z.boolean().optional(),
  profile: profileName.optional(),
  platform: overridesOf(platformSchema).optional(),
  cluster: overridesOf(clusterSchema).optional(),
  features: featureFlagsSchema.optional(),
  registry: overridesOf(registrySchema).optional(),
  agents: z.record(dnsLabel, overridesOf(agentSchema)).optional(),
  charts: z.record(z.string(), chartSourceSchema).optional(),
  state: stateSchema.optional(),
  github: z
    .strictObject({
      repository: githubRepository.optional(),
      webhook_url: httpUrl.optional(),
      webhook_mode: removedWebhookMode,
    })
    .optional(),
  backup: overridesOf(backupSchema).optional(),
  /** Platform release (an entry of profiles/versions.yaml) this environment runs. */
  release: z.string().optional(),
});

export const ctoConfigSchema = z.strictObject({
  version: z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, { message: 'must be the config format version, e.g. "0.1.0"' }),
  profile: profileName.default("minimal"),
  platform: platformSchema,
  github: githubSchema,
  registry: registrySchema.default({ type: "local", platform_images: "publisher" }),
  agents: z.record(dnsLabel, agentSchema).default({}),
  features: featureFlagsSchema.default({}),
  cluster: clusterSchema.default({ nodes: [], simulated: {} }),
  environments: z.record(dnsLabel, environmentSchema).default({}),
  state: stateSchema.default({}),
  charts: z.record(z.string(), chartSourceSchema).default({}),
  /** Platform release (an entry of profiles/versions.yaml). Defaults to the newest. */
  release: z.string().optional(),
  backup: backupSchema.optional(),
  mail: mailSchema.optional(),
});

export type CtoConfig = z.infer<typeof ctoConfigSchema>;
export type CtoConfigInput = z.input<typeof ctoConfigSchema>;
export type EnvironmentOverrides = z.infer<typeof environmentSchema>;

/**
 * Config paths that hold secrets (`*` matches any map key). They are never printed, never
 * written to plain files, and become Pulumi secret config.
 */
export const SECRET_PATHS: readonly string[] = [
  "github.webhook_secret",
  "github.apps.*.private_key",
  "github.apps.*.client_secret",
  "github.tunnel.token",
  "registry.password",
  "mail.smtp_password",
  "environments.*.registry.password",
];
