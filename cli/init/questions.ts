/**
 * What `cto init` asks, as data: each question has the flag that answers it without a prompt,
 * a validator shared by flag and prompt, and (where one makes sense) a default that `--yes`, CI
 * and a missing terminal use. One code path serves interactive and scripted runs: a question is
 * prompted only when its flag was not given.
 *
 * The PRD's success metric is at most 10 interactive prompts: 9 prompted questions here (one of
 * them only for non-local registries, one only for a local cluster without a domain) plus the
 * overwrite confirmation when cto.yaml exists.
 */
import {
  CLUSTER_PROVIDERS,
  REGISTRY_TYPES,
  TUNNEL_PROVIDERS,
  dnsLabel,
  dnsSubdomain,
  githubLogin,
  githubRepository,
} from "../../config/schema.js";
import { defaultAgents } from "../../profiles/default-agents.js";
import type { InitCommandOptions } from "../commands/init.js";

export type ClusterProvider = (typeof CLUSTER_PROVIDERS)[number];
export type RegistryType = (typeof REGISTRY_TYPES)[number];
export type TunnelProvider = (typeof TUNNEL_PROVIDERS)[number];

/** Everything the wizard gathers; the document builder turns it into cto.yaml. */
export interface InitAnswers {
  organization: string;
  repository: string;
  name: string;
  profile: string;
  provider: ClusterProvider;
  /** Empty: no public domain. */
  domain: string;
  /** The tunnel's public URL GitHub delivers to; empty: no tunnel. Asked only for a local cluster without a domain. */
  tunnelUrl?: string;
  /** The relay serving `tunnelUrl` (inferred from it unless given). */
  tunnel?: TunnelProvider;
  registry: RegistryType;
  /** Only for registries other than `local`. */
  registryUrl?: string;
  agents: string[];
}

export type AnswerKey = keyof InitAnswers;

/** A choice in a select or multiselect prompt. */
export interface Choice {
  value: string;
  label?: string;
  hint?: string;
}

/** The GitHub repository the current directory's git remote points at (`git-remote.ts`). */
export interface GitRemoteDefault {
  organization: string;
  repository: string;
  /** The remote's name, e.g. origin. */
  remote: string;
}

/**
 * What the catalogue of profiles and agent roles offers, and what the current directory suggests,
 * passed in so this file stays pure.
 */
export interface InitChoices {
  profiles: Choice[];
  agents: Choice[];
  /** The current directory's GitHub remote: the organisation and repository default to it. */
  gitRemote?: GitRemoteDefault;
}

export interface Question {
  key: AnswerKey;
  /** The commander option, e.g. `--org <ORG>`. */
  flag: string;
  /** The option's property name in commander's parsed options (a flag cli/commands/init.ts declares). */
  option: keyof InitCommandOptions;
  /** One line for `--help` and for the missing-flags message. */
  description: string;
  kind: "text" | "select" | "multiselect";
  message: string;
  placeholder?: string;
  choices?: (choices: InitChoices, answers: Partial<InitAnswers>) => Choice[];
  /** False: never prompted (the flag or the default answers it). Default true. */
  prompted?: boolean;
  /** Asked only when this returns true (default: always). */
  when?: (answers: Partial<InitAnswers>) => boolean;
  /** A default derived from this answer: while it is missing, this question is not reported as missing too. */
  derivedFrom?: AnswerKey;
  /** The answer `--yes`, CI and no-terminal runs take (and the prompt's initial value); undefined: the flag is required. */
  defaultValue: (answers: Partial<InitAnswers>, choices: InitChoices) => string | string[] | undefined;
  /** An error message, or undefined when the value is acceptable. */
  validate: (value: string | string[], choices: InitChoices) => string | undefined;
}

interface ZodIssueLike {
  code?: string;
  message: string;
  maximum?: unknown;
}

/**
 * The schema's own message for a bad value. A pattern's message says what the value must look
 * like, so it wins over zod's generic length messages ("Too big: expected string…"), which are
 * reworded where they are the only problem.
 */
function zodMessage(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: ZodIssueLike[] } } }) {
  return (value: string | string[]): string | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return undefined;
    const issues = result.error?.issues ?? [];
    const specific = issues.find((i) => i.code !== "too_big" && i.code !== "too_small");
    if (specific) return specific.message;
    const tooBig = issues.find((i) => i.code === "too_big");
    if (tooBig && typeof tooBig.maximum === "number") return `must be at most ${tooBig.maximum} characters`;
    return "is not valid";
  };
}

/**
 * A value the user must give: an empty answer says what is needed and gives an example (Enter on
 * an empty prompt lands here), anything else is checked by `check`.
 */
function needed(what: string, example: string, check: (value: string | string[]) => string | undefined) {
  return (value: string | string[]): string | undefined =>
    value === "" || (Array.isArray(value) && value.length === 0) ? `needed: ${what}, e.g. ${example}` : check(value);
}

function oneOf(values: readonly string[]) {
  return (value: string | string[]): string | undefined =>
    typeof value === "string" && values.includes(value) ? undefined : `must be one of: ${values.join(", ")}`;
}

/** Cluster providers the wizard offers (`simulated` is for tests and demos; it is accepted by flag). */
const OFFERED_PROVIDERS: Choice[] = [
  { value: "kind", hint: "Kubernetes in Docker on this machine" },
  { value: "k3s", hint: "k3s on this Linux machine, or on hosts over SSH" },
  { value: "minikube", hint: "minikube on this machine" },
  { value: "existing", hint: "a cluster you already have (current kubeconfig context)" },
];

/** Clusters on this machine (or the user's own hosts) that usually have no public address. */
const LOCAL_PROVIDERS = new Set<string>(["kind", "k3s", "minikube", "simulated"]);

/** ngrok's own domains; a custom ngrok domain needs --tunnel ngrok. */
const NGROK_HOSTS = /\.ngrok(-free)?\.(app|dev|io)$/;

/** The relay a tunnel URL belongs to: none without one; smee.io; ngrok's domains; else a Cloudflare Tunnel hostname. */
export function tunnelFor(url: string): TunnelProvider {
  if (url === "") return "none";
  const host = URL.canParse(url) ? new URL(url).hostname : "";
  if (host === "smee.io") return "smee";
  if (NGROK_HOSTS.test(host)) return "ngrok";
  return "cloudflare";
}

function tunnelUrlProblem(value: string | string[]): string | undefined {
  if (typeof value !== "string" || !URL.canParse(value)) return "must be a URL such as https://hooks.acme.example";
  const url = new URL(value);
  if (url.protocol !== "https:") return "must be an https URL (GitHub delivers to the tunnel over TLS)";
  if (url.search || url.hash) return "must have no query or fragment";
  return undefined;
}

const REGISTRY_HINTS: Record<RegistryType, string> = {
  local: "a registry inside the cluster",
  ghcr: "GitHub Container Registry",
  ecr: "Amazon ECR",
  gcr: "Google Artifact/Container Registry",
  acr: "Azure Container Registry",
  dockerhub: "Docker Hub",
  generic: "any other registry",
};

/** Registry hosts that have one obvious answer. */
export const REGISTRY_DEFAULT_URLS: Partial<Record<RegistryType, string>> = {
  ghcr: "ghcr.io",
  dockerhub: "docker.io",
  gcr: "gcr.io",
};

const registryHost = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._/-]+)?$/;

/** A default platform name from the organisation: `acme` → `acme-platform`, when that is a DNS label. */
function defaultName(answers: Partial<InitAnswers>): string | undefined {
  if (!answers.organization) return undefined;
  const name = `${answers.organization.toLowerCase()}-platform`;
  return dnsLabel.safeParse(name).success ? name : undefined;
}

export const QUESTIONS: Question[] = [
  {
    key: "organization",
    flag: "--org <ORG>",
    option: "org",
    description: "GitHub organisation (or user) the agents work in",
    kind: "text",
    message: "GitHub organisation (or user) the agents work in",
    placeholder: "acme",
    defaultValue: (_a, c) => c.gitRemote?.organization,
    validate: needed("the GitHub organisation (or user) the agents work in", "acme", zodMessage(githubLogin)),
  },
  {
    key: "repository",
    flag: "--repo <REPO>",
    option: "repo",
    description: "repository the platform starts with (name only, no owner)",
    kind: "text",
    message: "Repository the platform starts with (name only)",
    placeholder: "platform",
    // The remote's repository only while the organisation is the remote's too.
    defaultValue: (a, c) =>
      c.gitRemote && a.organization?.toLowerCase() === c.gitRemote.organization.toLowerCase()
        ? c.gitRemote.repository
        : undefined,
    validate: needed("the repository the platform starts with (name only)", "platform", zodMessage(githubRepository)),
  },
  {
    key: "name",
    flag: "--name <NAME>",
    option: "name",
    description: "platform name: a DNS label, also the Pulumi project name (default: ORG-platform)",
    kind: "text",
    message: "Platform name (lowercase, a DNS label)",
    placeholder: "acme-platform",
    // Not prompted: the default from the organisation is nearly always right, and the PRD allows
    // at most 10 prompts. The summary shows it; --name changes it.
    prompted: false,
    derivedFrom: "organization",
    defaultValue: defaultName,
    validate: needed("a platform name (a DNS label)", "acme-platform", zodMessage(dnsLabel)),
  },
  {
    key: "profile",
    flag: "--profile <PROFILE>",
    option: "profile",
    description: "installation profile: minimal, standard or production (default: minimal)",
    kind: "select",
    message: "Installation profile",
    choices: (c) => c.profiles,
    defaultValue: () => "minimal",
    validate: (value, c) => oneOf(c.profiles.map((p) => p.value))(value),
  },
  {
    key: "provider",
    flag: "--provider <PROVIDER>",
    option: "provider",
    description: `cluster provider: ${CLUSTER_PROVIDERS.join(", ")} (default: kind)`,
    kind: "select",
    message: "Where does the platform run?",
    choices: () => OFFERED_PROVIDERS,
    defaultValue: () => "kind",
    validate: oneOf(CLUSTER_PROVIDERS),
  },
  {
    key: "domain",
    flag: "--domain <DOMAIN>",
    option: "domain",
    description: "public domain for ingress hosts and the GitHub webhook; '' for none (default: none)",
    kind: "text",
    message: "Public domain for the platform (leave empty for none)",
    placeholder: "agents.acme.example",
    defaultValue: () => "",
    validate: (value) => (value === "" ? undefined : zodMessage(dnsSubdomain)(value)),
  },
  {
    key: "tunnelUrl",
    flag: "--tunnel-url <URL>",
    option: "tunnelUrl",
    description:
      "without a domain on a local cluster: the public URL of the tunnel GitHub delivers webhooks to (a Cloudflare Tunnel hostname or an ngrok domain); '' for none (default)",
    kind: "text",
    message:
      "No domain: GitHub reaches the platform through a tunnel. Its public URL (Cloudflare Tunnel hostname or ngrok domain; empty for none)",
    placeholder: "https://hooks.acme.example",
    when: (a) => a.domain === "" && a.provider !== undefined && LOCAL_PROVIDERS.has(a.provider),
    defaultValue: () => "",
    validate: (value) => (value === "" ? undefined : tunnelUrlProblem(value)),
  },
  {
    key: "tunnel",
    flag: "--tunnel <PROVIDER>",
    option: "tunnel",
    description: `tunnel relay for --tunnel-url: ${TUNNEL_PROVIDERS.join(", ")} (default: from the URL — smee.io: smee, ngrok domains: ngrok, others: cloudflare)`,
    kind: "select",
    message: "Tunnel relay",
    // Not prompted: the URL nearly always says which relay serves it; --tunnel overrides.
    prompted: false,
    when: (a) => a.domain === "" && a.provider !== undefined && LOCAL_PROVIDERS.has(a.provider),
    defaultValue: (a) => tunnelFor(a.tunnelUrl ?? ""),
    validate: oneOf(TUNNEL_PROVIDERS),
  },
  {
    key: "registry",
    flag: "--registry <TYPE>",
    option: "registry",
    description: `container registry: ${REGISTRY_TYPES.join(", ")} (default: local)`,
    kind: "select",
    message: "Container registry for agent images",
    choices: () => REGISTRY_TYPES.map((t) => ({ value: t, hint: REGISTRY_HINTS[t] })),
    defaultValue: () => "local",
    validate: oneOf(REGISTRY_TYPES),
  },
  {
    key: "registryUrl",
    flag: "--registry-url <HOST>",
    option: "registryUrl",
    description: "registry host without scheme, for registries other than local (ghcr.io, docker.io, gcr.io default)",
    kind: "text",
    message: "Registry host (no scheme)",
    placeholder: "registry.acme.example",
    when: (a) => a.registry !== undefined && a.registry !== "local",
    defaultValue: (a) => (a.registry ? REGISTRY_DEFAULT_URLS[a.registry] : undefined),
    validate: needed("the registry host", "registry.acme.example:5000", (value) =>
      typeof value === "string" && registryHost.test(value)
        ? undefined
        : "must be a registry host such as ghcr.io or registry.acme.example:5000, without a scheme",
    ),
  },
  {
    key: "agents",
    flag: "--agents <LIST>",
    option: "agents",
    description: "comma-separated agents to enable (default by profile: minimal rex; standard rex,cleo,tess)",
    kind: "multiselect",
    message: "Agents to enable",
    choices: (c) => c.agents,
    defaultValue: (a) => defaultAgents(a.profile ?? "minimal"),
    validate: (value) => {
      const list = typeof value === "string" ? [value] : value;
      if (list.length === 0) return "name at least one agent";
      const bad = list.find((v) => !dnsLabel.safeParse(v).success);
      if (bad !== undefined) return `'${bad}' is not an agent name (lowercase letters, digits and '-')`;
      if (new Set(list).size !== list.length) return "names an agent twice";
      return undefined;
    },
  },
];

/** Most prompts the wizard can show: the prompted questions plus the overwrite confirmation. */
export const MAX_PROMPTS = QUESTIONS.filter((q) => q.prompted !== false).length + 1;

/** `--agents rex, cleo` → ["rex", "cleo"]. */
export function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Feature switches `--features` may name; those not named are written as false. */
export const FEATURES = [
  "monitoring",
  "databases",
  "mail_notifications",
  "backup",
  "high_availability",
  "security",
] as const;
