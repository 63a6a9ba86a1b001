/**
 * The resolved plan: config + profile + environment, fully defaulted and validated.
 *
 * This is the one shape every command and the infrastructure program consume. It holds no secret
 * values: those travel separately as `PlanSecrets` (names → values) and become Pulumi secret
 * config, so a plan can always be printed, stored in stack history and diffed.
 *
 * Keys are camelCase (TypeScript side); the user's file is snake_case.
 */

/**
 * The label that marks every object of the platform, with the platform name as its value: on
 * the objects cto creates and, through the charts' extra-label values, on the charts' objects.
 * Destroy, status and the drills find the platform's objects by it. It lives here, with the plan
 * whose `platform.labels` carry it; components/labels.ts re-exports it.
 */
export const PLATFORM_LABEL = "cto.dev/platform";

export type ComponentCategory = "core" | "orchestration" | "monitoring" | "database" | "security" | "optional";

/** Which Kubernetes cluster the platform goes onto and how it is obtained. */
export type ClusterPlan =
  | { provider: "existing"; name: string; kubeconfig?: string; context?: string }
  | {
      provider: "k3s";
      name: string;
      version: string;
      /**
       * The k3s binary cto downloads (SHA-256 checked) for a single node on this machine:
       * `<cto home>/bin/k3s`. SSH nodes get the binary of their `arch` instead
       * (stacks/tools/host-k3s.ts), copied over SSH.
       */
      binaryPath: string;
      /** Empty: single node on this machine. Otherwise servers/agents over SSH. */
      nodes: SshNodePlan[];
      /** Where the kubeconfig is written (mode 0600). */
      kubeconfigPath: string;
    }
  | {
      provider: "kind";
      name: string;
      version: string;
      nodeImage: string;
      portMappings: number[];
      kubeconfigPath: string;
    }
  | { provider: "minikube"; name: string; version: string; cpus: number; memoryMiB: number; kubeconfigPath: string }
  | {
      provider: "simulated";
      name: string;
      nodes: number;
      /** Per-node capacity. */
      cpu: string;
      memory: string;
      kubeconfigPath: string;
    };

export interface SshNodePlan {
  host: string;
  /** Always root: cto never runs sudo (the resolver refuses other users). */
  user: string;
  port: number;
  sshKeyPath?: string;
  role: "server" | "agent";
  /** The host's CPU architecture: which k3s release binary it gets. */
  arch: "amd64" | "arm64";
}

export interface ChartPlan {
  /** Helm repository URL or OCI reference. */
  repository: string;
  chart: string;
  version: string;
}

export interface ComponentPlan {
  /** Component name from the profile, e.g. "argo-cd", "monitoring". */
  name: string;
  category: ComponentCategory;
  required: boolean;
  dependencies: string[];
  installOrder: number;
  /** Namespace the component installs into. */
  namespace: string;
  /** The Helm chart, for components installed from one. */
  chart?: ChartPlan;
}

export interface FeaturePlan {
  monitoring: boolean;
  databases: boolean;
  mailNotifications: boolean;
  backup: boolean;
  highAvailability: boolean;
  security: boolean;
}

export interface ResourcesPlan {
  /** Kubernetes quantities, defaulted from the profile. */
  cpu: string;
  memory: string;
}

export interface AgentPlan {
  name: string;
  githubAppId?: string;
  cli?: string;
  model?: string;
  resources: ResourcesPlan;
  features: Record<string, boolean>;
}

export interface GitHubAppPlan {
  agent: string;
  appId?: string;
  clientId?: string;
  slug?: string;
  /** App name as it appears on GitHub, from the `<org>-<agent>` template unless a slug is given. */
  appName: string;
  privateKeyPath?: string;
}

export interface GitHubPlan {
  organization: string;
  repository: string;
  baseUrl: string;
  /** Public URL GitHub delivers webhooks to; undefined when neither a domain nor a URL is set. */
  webhookUrl?: string;
  apps: GitHubAppPlan[];
  tunnel: { provider: "none" | "cloudflare" | "ngrok" | "smee"; url?: string };
}

export interface RegistryPlan {
  type: "local" | "ghcr" | "ecr" | "gcr" | "acr" | "dockerhub" | "generic";
  /** Host (and port) without scheme; for `local` the local registry's address. */
  url: string;
  namespace: string;
  username?: string;
  /** True when a password is among the plan's secrets (the value is not in the plan). */
  hasCredentials: boolean;
}

/** A container image: `<registry>/<repository>:<tag>`. */
export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
}

/** The platform's own images, placed where they are pulled from. */
export interface ImagesPlan {
  /** `publisher`: where the release pins them; `mirror`: the configured registry. */
  source: "publisher" | "mirror";
  controller: ImageRef;
  /** One image per agent CLI, by CLI name (every CLI the release pins). */
  agents: Record<string, ImageRef>;
  /** True when pods pulling them need the registry pull secret (a mirror with credentials). */
  pullSecret: boolean;
}

export interface ProfileSummary {
  name: string;
  description: string;
  estimatedInstallMinutes: number;
  /**
   * What the plan needs from where it runs (`requirements.ts`): its requests with every allowed
   * feature on, plus the system share of `clusterKind`, in whole cores and GiB.
   */
  requirements: { memoryGiB: number; cpu: number; diskGiB: number; clusterKind: ClusterPlan["provider"] };
}

export interface Plan {
  /** Version of this plan shape, for stored history. */
  planVersion: 1;
  /** The config file's `version`. */
  configVersion: string;
  /** Environment (= stack) name. */
  environment: string;
  /** Destroy of a production stack asks the user to type its name. */
  production: boolean;
  /** Platform release from profiles/versions.yaml. */
  release: string;
  profile: ProfileSummary;
  platform: {
    name: string;
    domain?: string;
    namespace: string;
    ingressType: "none" | "nginx" | "traefik";
    /**
     * Labels every object of ours carries, charts' objects included: only `PLATFORM_LABEL`, a key
     * of our own, so it never overrides a chart's `app.kubernetes.io/*` labels. Objects cto
     * creates itself also get `app.kubernetes.io/managed-by`/`part-of` (components/labels.ts).
     */
    labels: Record<string, string>;
  };
  /** Namespaces by role; only those of enabled components are present. */
  namespaces: Record<string, string>;
  cluster: ClusterPlan;
  features: FeaturePlan;
  /** Enabled components in install order. */
  components: ComponentPlan[];
  agents: AgentPlan[];
  github: GitHubPlan;
  registry: RegistryPlan;
  images: ImagesPlan;
  backup?: {
    provider: string;
    bucket?: string;
    region?: string;
    endpoint?: string;
    /** Azure only: resource group and storage account of the container `bucket`. */
    resourceGroup?: string;
    storageAccount?: string;
    schedule: string;
    ttl: string;
  };
  /**
   * Where the controller sends mail notifications; present only with `features.mailNotifications`.
   * The password is not here: it is the stack secret `mail.smtp_password` (`hasPassword` says
   * whether there is one), delivered as the Secret the controller's configuration names.
   */
  mail?: MailPlan;
  state: { backendUrl?: string; secretsProvider: string };
  /** Names of the secrets the plan needs (keys of `PlanSecrets`), e.g. "registry.password". */
  secretNames: string[];
}

export interface MailPlan {
  host: string;
  port: number;
  /** `starttls` (required), `tls` (from the first byte) or `none`. */
  tls: "starttls" | "tls" | "none";
  from: string;
  /** The SMTP login (the `from` address unless `mail.smtp_username` says otherwise). */
  username: string;
  hasPassword: boolean;
}

/** Secret values by name (see `Plan.secretNames`). Never printed, never written in clear. */
export type PlanSecrets = Record<string, string>;
