/**
 * Shared by the preflight and diagnose unit tests: a plan per cluster provider and fake probes
 * that report exactly what a test says the machine has (nothing else is found).
 */
import type { Plan } from "../../profiles/plan.js";
import type { CommandResult, RunOptions } from "../../stacks/diagnose/run.js";
import type { Probes } from "../../stacks/preflight/probes.js";
import type { Check, CheckContext, CheckOutcome } from "../../stacks/preflight/types.js";

export const GiB = 2 ** 30;

type ClusterOverride = Partial<Plan["cluster"]> & { provider: Plan["cluster"]["provider"] };

/** A minimal-profile plan on a kind cluster; override anything. */
export function makePlan(overrides: Partial<Omit<Plan, "cluster">> & { cluster?: ClusterOverride } = {}): Plan {
  const base: Plan = {
    planVersion: 1,
    configVersion: "0.1.0",
    environment: "dev",
    production: false,
    release: "2025.1",
    profile: {
      name: "minimal",
      description: "core only",
      estimatedInstallMinutes: 5,
      requirements: { memoryGiB: 8, cpu: 2, diskGiB: 20, clusterKind: "kind" },
    },
    platform: { name: "acme-platform", namespace: "cto", ingressType: "nginx", labels: {} },
    namespaces: { platform: "cto", argocd: "argocd" },
    cluster: {
      provider: "kind",
      name: "acme",
      version: "v1.31.4",
      nodeImage: "kindest/node:v1.31.4",
      portMappings: [80, 443, 8080, 2746, 3000],
      kubeconfigPath: "/home/u/.cto/kube/acme.yaml",
    },
    features: {
      monitoring: false,
      databases: false,
      mailNotifications: false,
      backup: false,
      highAvailability: false,
      security: false,
    },
    components: [
      { name: "argo-cd", category: "core", required: true, dependencies: [], installOrder: 10, namespace: "argocd" },
      {
        name: "controller",
        category: "core",
        required: true,
        dependencies: ["argo-cd"],
        installOrder: 40,
        namespace: "cto",
      },
    ],
    agents: [{ name: "rex", resources: { cpu: "1", memory: "2Gi" }, features: {} }],
    github: {
      organization: "acme",
      repository: "platform",
      baseUrl: "https://api.github.com",
      apps: [],
      tunnel: { provider: "none" },
    },
    registry: { type: "local", url: "localhost:5000", namespace: "acme", hasCredentials: false },
    images: {
      source: "publisher",
      controller: { registry: "registry.acme.example", repository: "publisher/controller", tag: "v1.0.0" },
      agents: { claude: { registry: "registry.acme.example", repository: "publisher/claude", tag: "v1.0.0" } },
      pullSecret: false,
    },
    state: { secretsProvider: "passphrase" },
    secretNames: [],
  };
  const { cluster, ...rest } = overrides;
  const plan = { ...base, ...rest } as Plan;
  if (cluster) plan.cluster = clusterFor(cluster);
  return plan;
}

function clusterFor(c: ClusterOverride): Plan["cluster"] {
  const kubeconfigPath = "/home/u/.cto/kube/acme.yaml";
  switch (c.provider) {
    case "kind":
      return {
        name: "acme",
        version: "v1.31.4",
        nodeImage: "kindest/node:v1.31.4",
        portMappings: [80, 443, 8080, 2746, 3000],
        kubeconfigPath,
        ...c,
      } as Plan["cluster"];
    case "k3s":
      return {
        name: "acme",
        version: "v1.31.4+k3s1",
        binaryPath: "/home/u/.cto/bin/k3s",
        nodes: [],
        kubeconfigPath,
        ...c,
      } as Plan["cluster"];
    case "minikube":
      return { name: "acme", version: "v1.31.4", cpus: 4, memoryMiB: 8192, kubeconfigPath, ...c } as Plan["cluster"];
    case "simulated":
      return { name: "acme", nodes: 1, cpu: "4", memory: "8Gi", kubeconfigPath, ...c } as Plan["cluster"];
    case "existing":
      return { name: "acme", kubeconfig: "/home/u/.kube/config", ...c } as Plan["cluster"];
  }
}

export type Responder = (args: string[], options?: RunOptions) => Partial<CommandResult> | undefined;

/** Fake probes: a Linux machine where nothing is installed unless the test says so. */
export function fakeProbes(
  overrides: Partial<Probes> & { commands?: Record<string, Responder | Partial<CommandResult>> } = {},
): Probes {
  const { commands = {}, ...rest } = overrides;
  const calls: string[] = [];
  const run: Probes["run"] = async (cmd, args, options) => {
    calls.push([cmd, ...args].join(" "));
    const r = commands[cmd];
    const out = typeof r === "function" ? r(args, options) : r;
    if (!out) return { found: false, code: null, stdout: "", stderr: `${cmd}: not found`, timedOut: false };
    return { found: true, code: 0, stdout: "", stderr: "", timedOut: false, ...out };
  };
  const probes: Probes = {
    run,
    // Uncached here: `pulumi version` answers from `commands` like any other command.
    pulumiVersion: async (exe) => {
      const r = await run(exe, ["version"]);
      return r.code === 0 ? r.stdout : undefined;
    },
    which: async () => undefined,
    memInfo: async () => ({ totalBytes: 16 * GiB, availableBytes: 12 * GiB }),
    cpuCount: () => 4,
    diskFree: async (dir) => ({ path: dir, freeBytes: 100 * GiB, totalBytes: 200 * GiB }),
    port: async () => ({ state: "free" }),
    resolve: async () => ({ ok: true, addresses: ["192.0.2.10"] }),
    httpGet: async () => ({ ok: false, message: "ENOTFOUND" }),
    writableDir: async (dir) => ({ ok: true, exists: true, checked: dir }),
    exists: async () => false,
    fileMode: async () => undefined,
    systemdRunning: async () => true,
    toolchainBinDir: async () => undefined,
    platform: "linux",
    uid: 1000,
    nodeVersion: "22.23.3",
    env: {},
    home: "/home/u",
    ...rest,
  };
  return Object.assign(probes, { calls });
}

/** Runs one check against a plan with the given probes. */
export async function runCheck(
  check: Check,
  plan: Plan,
  probes: Probes,
  extra: Partial<CheckContext> = {},
): Promise<CheckOutcome> {
  return check.run({ plan, probes, ctoHome: "/home/u/.cto", ...extra });
}
