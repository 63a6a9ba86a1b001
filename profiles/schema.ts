/**
 * Schemas of the bundled profile files (`profiles/<name>.yaml`, the PRD's `InstallationProfile`
 * and `Component`) and of `profiles/versions.yaml` (platform releases pinning every chart).
 * Keys are snake_case like `cto.yaml`.
 */
import { z } from "zod";
import { CLUSTER_PROVIDERS, cpuQuantity, dnsLabel, memoryQuantity } from "../config/schema.js";

export const COMPONENT_CATEGORIES = [
  "core",
  "orchestration",
  "monitoring",
  "database",
  "security",
  "optional",
] as const;

/** Feature switches, as spelt in `cto.yaml` (`features.<name>`). */
export const FEATURE_NAMES = [
  "monitoring",
  "databases",
  "mail_notifications",
  "backup",
  "high_availability",
  "security",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

const semver = z.string().regex(/^v?[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*$/, {
  message: "must be a semantic version such as 7.8.0",
});

/** `5m`, `1h`, `1h30m`. */
const duration = z.string().regex(/^([0-9]+h)?([0-9]+m)?$/, { message: "must be a duration such as 5m or 1h30m" });

export const componentSchema = z.strictObject({
  name: dnsLabel,
  description: z.string().min(1).max(200).optional(),
  category: z.enum(COMPONENT_CATEGORIES),
  /** Required components are always installed; the others are switched on by `feature`. */
  required: z.boolean(),
  /**
   * Components this one really needs in place first (e.g. the CRDs of its objects). Besides
   * namespaces and the monitoring CRDs, these are what cto orders components by: list only real
   * needs, since anything not listed is installed in parallel.
   */
  dependencies: z.array(dnsLabel).default([]),
  install_order: z.number().int().min(0).max(1000),
  /** The feature switch that installs this (non-required) component. */
  feature: z.enum(FEATURE_NAMES).optional(),
  /**
   * The ingress controller this component is: installed when cto.yaml sets `platform.domain` and
   * `platform.ingress_type` names it (and the platform release pins its chart).
   */
  ingress: z.enum(["nginx", "traefik"]).optional(),
  /**
   * Key of the plan's `namespaces` map. The role `platform` means the platform's own namespace
   * (`platform.namespace` in cto.yaml), and then `namespace` is not given.
   */
  namespace_role: z
    .string()
    .regex(/^[a-z][A-Za-z0-9]*$/, { message: "must be a camelCase identifier such as certManager" }),
  namespace: dnsLabel.optional(),
});

export const profileSchema = z.strictObject({
  name: dnsLabel,
  description: z.string().min(1).max(500),
  components: z.array(componentSchema).min(1),
  /** Feature defaults of the profile; `cto.yaml` may switch those in `allowed_features`. */
  features: z.strictObject({
    monitoring: z.boolean(),
    databases: z.boolean(),
    mail_notifications: z.boolean(),
    backup: z.boolean(),
    high_availability: z.boolean(),
    security: z.boolean(),
  }),
  allowed_features: z.array(z.enum(FEATURE_NAMES)),
  // No stated CPU/memory/disk here: they are computed from what the plan requests
  // (profiles/requirements.ts), so the statement cannot drift from the plan.
  estimated_install_time: duration,
  /**
   * The cluster a config that names none gets (`cluster.provider`), then the node count and
   * per-node size of a simulated cluster, and minikube's VM size.
   */
  cluster: z.strictObject({
    provider: z.enum(CLUSTER_PROVIDERS),
    nodes: z.number().int().min(1).max(100),
    cpu: cpuQuantity,
    memory: memoryQuantity,
  }),
  /** Agent resources when `agents.<name>.resources` leaves them out. */
  agent_defaults: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
});

export const chartPinSchema = z.strictObject({
  /**
   * Helm repository (https://) or OCI registry (oci://). Absent for charts without a public home
   * (cto's controller): `charts.<component>.repository` or `charts.default.repository` in cto.yaml
   * must then supply it.
   */
  repository: z
    .string()
    .regex(/^(https?|oci):\/\/\S+$/, { message: "must be an https://, http:// or oci:// URL" })
    .optional(),
  chart: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "must be a chart name" }),
  version: semver,
});

const exactVersion = z
  .string()
  .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, { message: "must be an exact version such as 1.36.1 (no v)" });

/** Tool versions of a platform release; `pulumi` must equal the CLI cto pins (a unit test checks). */
export const toolVersionsSchema = z.strictObject({
  pulumi: exactVersion,
  "pulumi-kubernetes": exactVersion,
  kubectl: exactVersion,
  kind: exactVersion,
  minikube: exactVersion,
});

/**
 * Components cto ships itself (as objects rendered from `templates/platform/objects/`), so no
 * release pins a chart for them; `charts.<component>.repository` in cto.yaml installs a chart
 * instead.
 */
export const BUILTIN_COMPONENTS = ["controller"] as const;

/** One container image at a fixed tag: `<registry>/<repository>:<tag>`. */
export const imagePinSchema = z.strictObject({
  /** Registry host (and port), e.g. ghcr.io. */
  registry: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/, { message: "must be a registry host such as ghcr.io" }),
  /** Repository path inside the registry. */
  repository: z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, { message: "must be a repository path" }),
  /** A released tag: `latest` moves, so it is refused. */
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be an image tag" })
    .refine((t) => t !== "latest", { message: "must be a released tag, not `latest` (it moves)" }),
});

export const releaseSchema = z.strictObject({
  description: z.string().min(1).max(500),
  /** Kubernetes versions for clusters cto creates. */
  cluster: z.strictObject({
    k3s: z
      .string()
      .regex(/^v[0-9]+\.[0-9]+\.[0-9]+\+k3s[0-9]+$/, { message: "must be a k3s version such as v1.33.1+k3s1" }),
    kind: z.string().regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, { message: "must be a Kubernetes version such as v1.33.1" }),
    minikube: z
      .string()
      .regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, { message: "must be a Kubernetes version such as v1.33.1" }),
  }),
  /** The platform's container images: the controller, and one per agent CLI (by CLI name). */
  images: z.strictObject({
    controller: imagePinSchema,
    agents: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, { message: "must be a CLI name" }), imagePinSchema),
  }),
  /** Chart pinned for every component, by component name. */
  charts: z.record(dnsLabel, chartPinSchema),
  /**
   * Exact versions (no "v") of the tools `cto doctor --fix` and `cto up` install for this release
   * (stacks/tools). A release without them uses the newest release's. Digests: tool-digests.yaml.
   */
  tools: toolVersionsSchema.optional(),
});

export const versionsSchema = z.strictObject({
  releases: z.record(
    z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, { message: "must be a release number such as 0.2.0" }),
    releaseSchema,
  ),
});

export type ComponentSpec = z.infer<typeof componentSchema>;
export type ProfileSpec = z.infer<typeof profileSchema>;
export type ChartPin = z.infer<typeof chartPinSchema>;
export type ToolVersions = z.infer<typeof toolVersionsSchema>;
export type ImagePin = z.infer<typeof imagePinSchema>;
export type ReleaseSpec = z.infer<typeof releaseSchema>;
export type VersionsSpec = z.infer<typeof versionsSchema>;
