/**
 * The `cto.yaml` that `cto init` writes: built with the yaml Document API so every section carries
 * a comment that says what it is for and what else it accepts. Secrets are never written: where
 * one is needed, the file holds a `${VAR}` reference that cto reads from the environment.
 */
import { Document, Scalar, isMap, isScalar, type Pair, type YAMLMap } from "yaml";
import { FEATURES, type InitAnswers } from "./questions.js";

/** The config format version cto writes. */
export const CONFIG_FORMAT_VERSION = "0.1.0";

export interface DocumentInputs extends InitAnswers {
  /** `--features`: exactly these on, the others off. Undefined: the profile decides. */
  features?: string[];
}

/** The written text, and the environment variables it references (all of them must be set before `cto up`). */
export interface InitDocument {
  text: string;
  envRefs: string[];
}

/** Registries whose credentials are a user name and a password (others use the cloud's identity). */
const PASSWORD_REGISTRIES = new Set(["ghcr", "dockerhub", "generic", "acr"]);

export function buildInitDocument(a: DocumentInputs): InitDocument {
  const envRefs: string[] = [];
  const ref = (name: string): string => {
    envRefs.push(name);
    return `\${${name}}`;
  };

  const platform: Record<string, unknown> = { name: a.name };
  if (a.domain !== "") platform.domain = a.domain;
  platform.namespace = "cto";

  const registry: Record<string, unknown> = { type: a.registry };
  if (a.registry !== "local") {
    registry.url = a.registryUrl;
    registry.namespace = a.organization.toLowerCase();
    if (PASSWORD_REGISTRIES.has(a.registry)) {
      registry.username = ref("CTO_REGISTRY_USERNAME");
      registry.password = ref("CTO_REGISTRY_PASSWORD");
    }
  }

  const github: Record<string, unknown> = { organization: a.organization, repository: a.repository };
  const tunnel = a.tunnel ?? "none";
  if (tunnel !== "none") {
    github.tunnel = {
      provider: tunnel,
      url: a.tunnelUrl,
      // The relay's credential: a stack secret read from the environment, never written here.
      ...(tunnel === "smee" ? {} : { token: ref("CTO_TUNNEL_TOKEN") }),
    };
  }

  const content: Record<string, unknown> = {
    version: CONFIG_FORMAT_VERSION,
    profile: a.profile,
    platform,
    github,
    cluster: { provider: a.provider },
    registry,
    agents: Object.fromEntries(a.agents.map((name) => [name, { enabled: true }])),
  };
  if (a.features !== undefined) {
    content.features = Object.fromEntries(FEATURES.map((f) => [f, a.features?.includes(f) ?? false]));
  }
  content.environments = { dev: {} };

  const doc = new Document(content);
  const root = doc.contents as YAMLMap;
  const version = doc.get("version", true);
  if (isScalar(version)) version.type = Scalar.QUOTE_DOUBLE;

  doc.commentBefore = [
    " cto.yaml: what `cto` installs, written by `cto init`.",
    " Check it with `cto config validate`; see what it becomes with `cto config show --resolved`.",
    " Secrets never go in this file: write ${VAR} (or ${VAR:-default}) and set VAR in the environment.",
  ].join("\n");

  comment(root, "version", " Format of this file.");
  comment(
    root,
    "profile",
    " Installation profile: minimal, standard or production.\n `cto profiles list` compares them and states the CPU, memory and disk each needs.",
  );
  comment(
    root,
    "platform",
    a.domain === ""
      ? " name: also the Pulumi project. Add `domain: agents.example.com` for public ingress hosts and webhooks."
      : " name: also the Pulumi project. domain: ingress hosts and the GitHub webhook URL derive from it.",
  );
  comment(
    root,
    "github",
    tunnel === "cloudflare"
      ? " The organisation and repository the agents work in. tunnel: cto up runs the Cloudflare Tunnel's\n connector in the cluster; CTO_TUNNEL_TOKEN is its token (Networks → Tunnels → your tunnel). In the\n tunnel's Public hostname settings, route the url's host to the webhook receiver: cto up prints the\n Service to route to."
      : tunnel === "ngrok"
        ? " The organisation and repository the agents work in. tunnel: cto up runs the ngrok agent in the\n cluster on your reserved domain; CTO_TUNNEL_TOKEN is your ngrok authtoken."
        : tunnel === "smee"
          ? " The organisation and repository the agents work in. tunnel: cto up runs the smee client in the cluster."
          : " The organisation and repository the agents work in.",
  );
  mapOf(root, "github").comment = [
    " GitHub Apps of the agents; cto creates them unless you give existing ones:",
    " apps:",
    "   rex:",
    "     id: ${REX_APP_ID}",
    "     client_id: ${REX_CLIENT_ID}",
    "     private_key_path: /secrets/rex.pem",
  ].join("\n");
  comment(
    root,
    "cluster",
    " Where the platform runs: kind, k3s (this machine, or hosts over SSH under `nodes:`), minikube,\n or existing (with `kubeconfig:` and `context:`).",
  );
  comment(
    root,
    "registry",
    a.registry === "local"
      ? " Container registry for agent images: local runs one in the cluster.\n Others: ghcr, ecr, gcr, acr, dockerhub, generic (with url, namespace and credentials)."
      : " Container registry for agent images. Credentials come from the environment variables named here.",
  );
  comment(
    root,
    "agents",
    " Agents and their GitHub Apps; each may set resources (cpu, memory), cli, model and features.",
  );
  if (content.features !== undefined) {
    comment(root, "features", " Features on or off; without this section the profile decides.");
  }
  comment(
    root,
    "environments",
    " One Pulumi stack per environment; each may override profile, platform, cluster, features, agents.",
  );
  mapOf(root, "environments").comment = prodEnvironmentExample(a).join("\n");
  const trailing: string[] = [];
  if (content.features === undefined) {
    trailing.push(
      " Features follow the profile; to override, add for example:",
      " features:",
      "   monitoring: true",
      "   databases: false",
    );
  }
  if (a.profile === "production") {
    trailing.push(
      " The production profile backs up to object storage and runs highly available (k3s with three",
      " servers under cluster.nodes, or an existing cluster). For example:",
      " backup:",
      "   bucket: acme-backups",
      "   endpoint: https://s3.acme.example",
    );
  }
  if (trailing.length > 0) doc.comment = trailing.join("\n");
  return { text: doc.toString({ lineWidth: 0 }), envRefs };
}

/**
 * A `prod` environment to uncomment: it validates as written (a unit test uncomments it for every
 * kind of answers), so it carries what the production profile needs that a dev setup lacks — a
 * domain for certificates, a cluster that can be highly available, a backup bucket. The values are
 * examples named after the answers; the user points them at real infrastructure.
 */
export function prodEnvironmentExample(a: Pick<InitAnswers, "organization" | "name" | "domain">): string[] {
  const org = a.organization.toLowerCase();
  const lines = [" prod:", "   production: true", "   profile: production"];
  if (a.domain === "") {
    lines.push("   platform:", `     domain: agents.${org}.example     # certificates need a public domain`);
  }
  lines.push(
    "   cluster:                            # high availability: an existing cluster (or k3s with 3 servers)",
    "     provider: existing",
    `     context: ${a.name}-prod        # its kubeconfig context`,
    "   backup:",
    `     bucket: ${a.name.slice(0, 55)}-backups`,
    `     endpoint: https://s3.${org}.example`,
  );
  return lines;
}

function pairOf(map: YAMLMap, key: string): Pair {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (!pair) throw new Error(`no ${key} in the generated document`);
  return pair;
}

function mapOf(map: YAMLMap, key: string): YAMLMap {
  const value = pairOf(map, key).value;
  if (!isMap(value)) throw new Error(`${key} is not a map in the generated document`);
  return value;
}

/** A comment line (or lines) and a blank line before a top-level key. */
function comment(map: YAMLMap, key: string, text: string): void {
  const k = pairOf(map, key).key as Scalar;
  k.commentBefore = text;
  k.spaceBefore = map.items[0]?.key !== k;
}
