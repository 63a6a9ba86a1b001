/**
 * Tools `cto` runs or drives: Node.js, the pinned Pulumi CLI, kubectl, and the cluster provider's
 * own tools (Docker and kind, minikube).
 */
import path from "node:path";
import type { Check, CheckContext, CheckOutcome } from "../types.js";
import {
  compareVersions,
  MIN_KIND_VERSION,
  MIN_KUBECTL_VERSION,
  MIN_MINIKUBE_VERSION,
  MIN_NODE_VERSION,
  PULUMI_CLI_VERSION,
  PULUMI_KUBERNETES_VERSION,
  versionString,
} from "../versions.js";
import { fail, firstLine, ok, warn } from "./common.js";
import type { Plan } from "../../../profiles/plan.js";
import { hostArches, hostK3sCheckId, hostK3sState } from "../../tools/host-k3s.js";

/** `<ctoHome>/bin/<name>` when cto installed it there, else the bare name (looked up on PATH). */
export async function toolPath(ctx: CheckContext, name: string): Promise<string> {
  const dir = path.join(ctx.ctoHome, "bin");
  const exe = await ctx.probes.which(name, [dir]);
  return exe && path.dirname(exe) === dir ? exe : name;
}

export const nodeCheck: Check = {
  id: "tool.node",
  name: "Node.js",
  critical: true,
  appliesTo: () => true,
  async run({ probes }) {
    const v = probes.nodeVersion;
    if (compareVersions(v, MIN_NODE_VERSION) >= 0) return ok(`Node.js ${v}`, { version: v });
    return fail(
      `Node.js ${v} is older than ${MIN_NODE_VERSION}`,
      `Install Node.js 22 LTS or newer: https://nodejs.org/en/download (with nvm: nvm install 22)`,
      { version: v, minimum: MIN_NODE_VERSION },
    );
  },
};

/** Where `cto` looks for the Pulumi CLI, in order: ~/.cto/bin, the toolchain's bin, PATH. */
export async function pulumiCandidates(ctx: CheckContext): Promise<string[]> {
  const dirs = [path.join(ctx.ctoHome, "bin")];
  const toolchain = await ctx.probes.toolchainBinDir();
  if (toolchain) dirs.push(toolchain);
  const found: string[] = [];
  for (const dir of dirs) {
    const exe = await ctx.probes.which("pulumi", [dir]);
    if (exe && path.dirname(exe) === dir) found.push(exe);
  }
  const onPath = await ctx.probes.which("pulumi");
  if (onPath && !found.includes(onPath)) found.push(onPath);
  return found;
}

/** The fix for a missing or wrong Pulumi CLI: `--fix` copies it from a built toolchain or downloads it. */
export async function pulumiFix(ctx: CheckContext): Promise<string> {
  const toolchain = await ctx.probes.toolchainBinDir();
  const cached = toolchain ? await ctx.probes.which("pulumi", [toolchain]) : undefined;
  const bin = path.join(ctx.ctoHome, "bin");
  if (cached) return `cto doctor --fix   (copies ${cached} into ${bin}, or downloads the pinned release)`;
  return `cto doctor --fix   (downloads Pulumi CLI ${PULUMI_CLI_VERSION} into ${bin}, SHA-256 checked)`;
}

export const pulumiCheck: Check = {
  id: "tool.pulumi",
  name: `Pulumi CLI ${PULUMI_CLI_VERSION}`,
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const candidates = await pulumiCandidates(ctx);
    if (candidates.length === 0) {
      return fail(
        `pulumi not found in ${path.join(ctx.ctoHome, "bin")}, the toolchain cache or PATH`,
        await pulumiFix(ctx),
      );
    }
    const seen: { path: string; version?: string }[] = [];
    for (const exe of candidates) {
      const printed = await ctx.probes.pulumiVersion(exe, ctx.ctoHome);
      const version = printed ? versionString(printed) : undefined;
      seen.push({ path: exe, version });
      if (version === PULUMI_CLI_VERSION) return ok(`v${version} at ${exe}`, { path: exe, version, candidates: seen });
    }
    const first = seen[0] as { path: string; version?: string };
    if (!first.version) {
      return fail(`${first.path} does not report a version (pulumi version failed)`, await pulumiFix(ctx), {
        candidates: seen,
      });
    }
    if (compareVersions(first.version, PULUMI_CLI_VERSION) < 0) {
      return fail(
        `v${first.version} at ${first.path} is older than the pinned ${PULUMI_CLI_VERSION}`,
        await pulumiFix(ctx),
        {
          candidates: seen,
        },
      );
    }
    return {
      ...warn(
        `v${first.version} at ${first.path} is newer than the pinned ${PULUMI_CLI_VERSION} (cto is tested with ${PULUMI_CLI_VERSION})`,
        await pulumiFix(ctx),
        { candidates: seen },
      ),
      critical: false,
    };
  },
};

export const kubectlCheck: Check = {
  id: "tool.kubectl",
  name: "kubectl",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const { probes } = ctx;
    const fix = `cto doctor --fix   (downloads the pinned kubectl into ${path.join(ctx.ctoHome, "bin")}; or https://kubernetes.io/docs/tasks/tools/#kubectl)`;
    const exe = await toolPath(ctx, "kubectl");
    const r = await probes.run(exe, ["version", "--client", "-o", "json"]);
    if (!r.found)
      return fail(
        `kubectl not found in ${path.join(ctx.ctoHome, "bin")} or on PATH (cto reads cluster state and diagnoses with it)`,
        fix,
      );
    let version: string | undefined;
    try {
      version = versionString(
        (JSON.parse(r.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? "",
      );
    } catch {
      version = versionString(r.stdout);
    }
    if (!version) return fail(`kubectl did not report its version: ${firstLine(r.stderr)}`, fix);
    if (compareVersions(version, MIN_KUBECTL_VERSION) < 0) {
      return fail(`kubectl ${version} is older than ${MIN_KUBECTL_VERSION}`, fix, { version });
    }
    return ok(`kubectl ${version}${exe === "kubectl" ? "" : ` at ${exe}`}`, { version, path: exe });
  },
};

/** Docker: the client, and a daemon that answers. Critical for kind; minikube can use other drivers. */
export const dockerCheck: Check = {
  id: "tool.docker",
  name: "Docker",
  critical: true,
  appliesTo: (plan) => plan.cluster.provider === "kind" || plan.cluster.provider === "minikube",
  async run({ plan, probes }) {
    const critical = plan.cluster.provider === "kind";
    const needs = critical ? "kind runs its nodes as Docker containers" : "minikube's default driver is docker";
    const out = (o: CheckOutcome): CheckOutcome => ({ ...o, critical });
    const r = await probes.run("docker", ["version", "--format", "{{.Server.Version}}"], { timeoutMs: 15_000 });
    if (!r.found)
      return out(
        fail(`docker not found on PATH (${needs})`, "Install Docker Engine: https://docs.docker.com/engine/install/"),
      );
    if (r.code === 0 && versionString(r.stdout))
      return out(ok(`Docker ${r.stdout.trim()}, daemon running`, { version: r.stdout.trim() }));
    const err = r.stderr.toLowerCase();
    if (err.includes("permission denied")) {
      return out(
        fail(
          "the Docker daemon refused this user (permission denied on the Docker socket)",
          "sudo usermod -aG docker $USER   (then log out and back in)",
        ),
      );
    }
    if (err.includes("cannot connect") || err.includes("is the docker daemon running") || r.timedOut) {
      return out(
        fail(
          "the docker client is installed but the Docker daemon is not running",
          "sudo systemctl start docker   (Docker Desktop: start the application)",
        ),
      );
    }
    return out(fail(`docker version failed: ${firstLine(r.stderr)}`, "Check the Docker installation: docker info"));
  },
};

function toolVersionCheck(spec: {
  id: string;
  name: string;
  exe: string;
  args: string[];
  minimum: string;
  provider: "kind" | "minikube";
  install: string;
}): Check {
  return {
    id: spec.id,
    name: spec.name,
    critical: true,
    appliesTo: (plan) => plan.cluster.provider === spec.provider,
    async run(ctx) {
      const exe = await toolPath(ctx, spec.exe);
      const r = await ctx.probes.run(exe, spec.args);
      if (!r.found) return fail(`${spec.exe} not found in ${path.join(ctx.ctoHome, "bin")} or on PATH`, spec.install);
      const version = r.code === 0 ? versionString(r.stdout) : undefined;
      if (!version) return fail(`${spec.exe} did not report its version: ${firstLine(r.stderr)}`, spec.install);
      if (compareVersions(version, spec.minimum) < 0) {
        return fail(`${spec.exe} ${version} is older than ${spec.minimum}`, spec.install, {
          version,
          minimum: spec.minimum,
        });
      }
      return ok(`${spec.exe} ${version}${exe === spec.exe ? "" : ` at ${exe}`}`, { version, path: exe });
    },
  };
}

export const kindCheck = toolVersionCheck({
  id: "tool.kind",
  name: "kind",
  exe: "kind",
  args: ["version"],
  minimum: MIN_KIND_VERSION,
  provider: "kind",
  install:
    "cto doctor --fix   (downloads the pinned kind into ~/.cto/bin; or https://kind.sigs.k8s.io/docs/user/quick-start/#installation)",
});

export const minikubeCheck = toolVersionCheck({
  id: "tool.minikube",
  name: "minikube",
  exe: "minikube",
  args: ["version", "--short"],
  minimum: MIN_MINIKUBE_VERSION,
  provider: "minikube",
  install:
    "cto doctor --fix   (downloads the pinned minikube into ~/.cto/bin; or https://minikube.sigs.k8s.io/docs/start/)",
});

/**
 * The kubernetes resource plugin the engine loads: next to the CLI in ~/.cto/bin or the toolchain,
 * on PATH (the engine looks there first, any version), or installed under $PULUMI_HOME/plugins at
 * the version @pulumi/kubernetes pins. Automatic plugin downloads by the engine are not relied on.
 */
export const pulumiKubernetesCheck: Check = {
  id: "tool.pulumi-kubernetes",
  name: "Pulumi kubernetes plugin",
  critical: true,
  appliesTo: () => true,
  async run(ctx) {
    const dirs = [path.join(ctx.ctoHome, "bin")];
    const toolchain = await ctx.probes.toolchainBinDir();
    if (toolchain) dirs.push(toolchain);
    const exe = await ctx.probes.which("pulumi-resource-kubernetes", dirs);
    if (exe) return ok(`pulumi-resource-kubernetes at ${exe}`, { path: exe });
    const pulumiHome = ctx.probes.env.PULUMI_HOME ?? path.join(ctx.probes.home, ".pulumi");
    const installed = path.join(pulumiHome, "plugins", `resource-kubernetes-v${PULUMI_KUBERNETES_VERSION}`);
    if (await ctx.probes.exists(path.join(installed, "pulumi-resource-kubernetes")))
      return ok(`v${PULUMI_KUBERNETES_VERSION} in ${installed}`, { path: installed });
    return fail(
      `pulumi-resource-kubernetes not found in ${dirs.join(", ")}, on PATH or in ${installed}`,
      `cto doctor --fix   (downloads plugin ${PULUMI_KUBERNETES_VERSION} into ${path.join(ctx.ctoHome, "bin")})`,
    );
  },
};

/**
 * The k3s binary for a single node on this machine, at exactly the plan's version: cto installs it
 * into ~/.cto/bin from the k3s release (SHA-256 checked against the release's sha256sum file), never
 * through the install script; k3s on PATH at that version also does.
 */
export const k3sCheck: Check = {
  id: "tool.k3s",
  name: "k3s binary",
  critical: true,
  appliesTo: (plan) => plan.cluster.provider === "k3s" && plan.cluster.nodes.length === 0,
  async run(ctx) {
    const wanted = ctx.plan.cluster.provider === "k3s" ? ctx.plan.cluster.version : "";
    const install = `cto doctor --fix   (downloads k3s ${wanted} into ${path.join(ctx.ctoHome, "bin")}, SHA-256 checked against the release's sha256sum file)`;
    const exe = await toolPath(ctx, "k3s");
    const r = await ctx.probes.run(exe, ["--version"]);
    if (!r.found) return fail(`k3s not found in ${path.join(ctx.ctoHome, "bin")} or on PATH`, install);
    const version = /k3s version (v\S+)/.exec(r.stdout)?.[1];
    if (!version) return fail(`${exe} did not report a k3s version: ${firstLine(r.stderr || r.stdout)}`, install);
    if (version !== wanted) return fail(`${exe} is k3s ${version}; the plan pins ${wanted}`, install, { version });
    return ok(`k3s ${version}${exe === "k3s" ? "" : ` at ${exe}`}`, { version, path: exe });
  },
};

/**
 * The k3s binary each SSH host architecture gets (multi-node k3s): the pinned release file for
 * linux-<arch>, installed by `cto doctor --fix` under `<cto home>/tools/k3s/` (stacks/tools/host-k3s.ts)
 * and still matching its receipt's SHA-256. cto copies it to the hosts over SSH; no install script.
 */
export function hostK3sChecks(plan: Plan): Check[] {
  if (plan.cluster.provider !== "k3s" || plan.cluster.nodes.length === 0) return [];
  const version = plan.cluster.version;
  return hostArches(plan.cluster.nodes).map((arch): Check => ({
    id: hostK3sCheckId(arch),
    name: `k3s binary for SSH hosts (linux-${arch})`,
    critical: true,
    appliesTo: () => true,
    async run(ctx) {
      const state = hostK3sState(ctx.ctoHome, version, arch);
      if (state.problem || !state.sha256) {
        return fail(
          state.problem ?? `${state.path} is missing`,
          `cto doctor --fix   (downloads k3s ${version} for linux-${arch} into ${path.dirname(state.path)}, SHA-256 checked against the release's sha256sum file)`,
        );
      }
      return ok(`k3s ${version} linux-${arch} at ${state.path} (sha256 ${state.sha256})`, {
        path: state.path,
        sha256: state.sha256,
      });
    },
  }));
}
