/**
 * Test harness for the real thing, offline: the toolchain's binaries, a kwok cluster (real
 * kube-apiserver, controller-manager, scheduler and etcd with simulated nodes), kubectl against
 * it, and an isolated Pulumi environment (file backend, PULUMI_HOME, passphrase).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { withKwokCreateLock } from "../../components/cluster/simulated.js";
import { requireBinaries, SIMULATED_CLUSTER_BINARIES, toolchainBinDir } from "../../config/toolchain.js";

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program; never rejects on a non-zero exit (the caller asserts on `code`). */
export function exec(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/**
 * The toolchain's bin directory, or a failure that says how to build it. e2e tests need it; they
 * fail (not skip) without it, because the real engine and API server are what they test.
 */
export function requireToolchain(
  binaries: readonly string[] = [...SIMULATED_CLUSTER_BINARIES, "pulumi", "pulumi-resource-kubernetes"],
): string {
  const bin = toolchainBinDir();
  requireBinaries(binaries, { binDir: bin, purpose: "the e2e tests" });
  return bin!;
}

/** Polls `fn` until `done` holds or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(
  fn: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 500,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let v = await fn();
  while (!done(v) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, intervalMs));
    v = await fn();
  }
  return v;
}

/** kubectl against one kubeconfig; `json()` parses `-o json` output. */
export class Kubectl {
  constructor(readonly kubeconfig: string) {}

  async run(...args: string[]): Promise<ExecResult> {
    return exec("kubectl", ["--kubeconfig", this.kubeconfig, ...args], { timeoutMs: 60_000 });
  }

  /** Runs and returns stdout; throws with stderr on failure. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  async json<T = KubeList>(...args: string[]): Promise<T> {
    return JSON.parse(await this.ok(...args, "-o", "json")) as T;
  }
}

/** The parts of a Kubernetes object list the tests read. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown> & {
    replicas?: number;
    template?: { spec?: { affinity?: Record<string, unknown> } };
  };
  status?: Record<string, unknown> & {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
    allocatable?: Record<string, string>;
  };
}
export interface KubeList {
  items: KubeObject[];
}

export interface KwokCluster {
  name: string;
  workdir: string;
  kubeconfig: string;
  kubectl: Kubectl;
  /** Deletes the cluster and its work directory. */
  destroy(): Promise<void>;
}

/**
 * Starts a kwok cluster with `nodes` nodes of the given allocatable capacity in a fresh work
 * directory; `stages` (kwok Stage YAML) replaces kwok's default stages when given.
 */
export async function startKwokCluster(
  opts: { name?: string; nodes?: number; cpu?: string; memory?: string; stages?: string } = {},
): Promise<KwokCluster> {
  const bin = requireToolchain();
  const name = opts.name ?? `cto-e2e-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  const workdir = await mkdtemp(path.join(os.tmpdir(), "cto-kwok-"));
  const env = { ...process.env, KWOK_RUNTIME: "binary", KWOK_WORKDIR: workdir };
  const kwokctl = async (args: string[]) => {
    const r = await exec(path.join(bin, "kwokctl"), ["--name", name, ...args], { env, timeoutMs: 180_000 });
    if (r.code !== 0) throw new Error(`kwokctl ${args.slice(0, 2).join(" ")}: ${r.stderr.slice(-2000)}`);
  };
  const config: string[] = [];
  if (opts.stages) {
    await writeFile(path.join(workdir, "stages.yaml"), opts.stages);
    config.push("--config", path.join(workdir, "stages.yaml"));
  }
  // Same lock as cto's simulated clusters: concurrent kwokctl creates pick the same ports.
  await withKwokCreateLock(() =>
    kwokctl([
      "create",
      "cluster",
      "--wait",
      "2m",
      "--kubeconfig",
      "",
      ...config,
      ...["--kube-apiserver-binary", path.join(bin, "kube-apiserver")],
      ...["--kube-controller-manager-binary", path.join(bin, "kube-controller-manager")],
      ...["--kube-scheduler-binary", path.join(bin, "kube-scheduler")],
      ...["--etcd-binary", path.join(bin, "etcd")],
      ...["--kwok-controller-binary", path.join(bin, "kwok")],
    ]),
  );
  const destroy = async () => {
    await exec(path.join(bin, "kwokctl"), ["--name", name, "delete", "cluster"], { env, timeoutMs: 60_000 });
    await rm(workdir, { recursive: true, force: true });
  };
  try {
    await kwokctl([
      "scale",
      "node",
      "--replicas",
      String(opts.nodes ?? 2),
      "--param",
      `.allocatable.cpu=${JSON.stringify(opts.cpu ?? "4")}`,
      "--param",
      `.allocatable.memory=${JSON.stringify(opts.memory ?? "8Gi")}`,
    ]);
    const kubeconfig = path.join(workdir, "clusters", name, "kubeconfig.yaml");
    const kubectl = new Kubectl(kubeconfig);
    await eventually(
      () => kubectl.ok("get", "nodes", "-o", "jsonpath={.items[*].spec.taints}"),
      (taints) => !taints.includes("not-ready"),
    );
    return { name, workdir, kubeconfig, kubectl, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}

/**
 * An isolated Pulumi environment: file backend, PULUMI_HOME, passphrase, no update checks, no
 * plugin downloads, and the toolchain's bin first on PATH (plugins are found there).
 */
export async function pulumiEnv(bin = requireToolchain()): Promise<{
  env: NodeJS.ProcessEnv;
  root: string;
  cleanup(): Promise<void>;
}> {
  const root = await mkdtemp(path.join(os.tmpdir(), "cto-pulumi-"));
  await mkdir(path.join(root, "backend")); // the file backend does not create its directory
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${root}/backend`,
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_CONFIG_PASSPHRASE: "e2e-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    CTO_TOOLCHAIN_BIN: bin,
  };
  return { env, root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
