/**
 * A simulated cluster: a real Kubernetes control plane (kube-apiserver, controller-manager,
 * scheduler, etcd) with kwok's simulated nodes, created with kwokctl using local binaries
 * (`KWOK_RUNTIME=binary`; nothing is downloaded). Workloads are scheduled and become Ready, so
 * providers' await logic runs for real; no container ever runs.
 *
 * It is a Node dynamic resource (served by `pulumi-resource-pulumi-nodejs`) because the command
 * plugin cannot be built offline. The provider below is serialized into the stack state and run
 * later in another process (delete runs the version stored at create/update), so it obeys the
 * dynamic-provider rules: every function it reaches is module-level and self-contained, Node
 * built-ins are loaded with `await import()` inside the functions, and nothing captured is a
 * module binding, a class instance or a closure over one.
 *
 * Exception to the layering (docs/architecture.md): unlike other components, this file reads
 * files, `PATH` and the process table and runs kwokctl, because its provider runs in the
 * engine's process, where cto cannot hand it anything.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of a {@link SimulatedCluster}. */
export interface SimulatedClusterArgs {
  /** kwok cluster name (a DNS label); also the directory `<workdir>/clusters/<name>`. Changing it replaces the cluster. */
  name: pulumi.Input<string>;
  /** Number of simulated nodes (1–100). Changing it scales the cluster in place. */
  nodes: pulumi.Input<number>;
  /** Allocatable CPU per node, a Kubernetes quantity such as `"4"` or `"3500m"`. Changing it updates the nodes in place. */
  cpu: pulumi.Input<string>;
  /** Allocatable memory per node, a Kubernetes quantity such as `"8Gi"`. Changing it updates the nodes in place. */
  memory: pulumi.Input<string>;
  /** kwok's work directory (`KWOK_WORKDIR`), e.g. `~/.cto/clusters/<name>/kwok`. Changing it replaces the cluster. */
  workdir: pulumi.Input<string>;
  /**
   * Directory holding kwokctl, kwok, kube-apiserver, kube-controller-manager, kube-scheduler and
   * etcd (the toolchain's bin, see `toolchainBinDir()` in config/toolchain.ts). Binaries not found
   * there are looked up on PATH.
   * @default PATH only
   */
  binDir?: pulumi.Input<string | undefined>;
}

/** The provider's view of the inputs, after `check`. */
interface SimulatedInputs {
  name: string;
  nodes: number;
  cpu: string;
  memory: string;
  workdir: string;
  binDir?: string;
  /**
   * Who owns the cluster: `<project>/<stack>` of the stack that first created it (a random token
   * in states made before that), kept for the resource's life; written to `<workdir>/<name>.owner`
   * before the cluster is created. A directory left by this stack's own interrupted or failed
   * create is recognised by it and cleaned up (the next run's create has no old inputs, so the
   * token must come from the stack, not from chance), while another stack's cluster is never touched.
   */
  owner: string;
}

interface SimulatedOutputs extends SimulatedInputs {
  /** Self-contained kubeconfig (certificates inlined). Secret. */
  kubeconfig: string;
  /** API server URL, `https://127.0.0.1:<port>`. */
  endpoint: string;
}

/** The binaries kwokctl is pointed at, with the kwokctl flag that names each. */
const KWOK_BINARY_FLAGS: [string, string][] = [
  ["kube-apiserver", "--kube-apiserver-binary"],
  ["kube-controller-manager", "--kube-controller-manager-binary"],
  ["kube-scheduler", "--kube-scheduler-binary"],
  ["etcd", "--etcd-binary"],
  ["kwok", "--kwok-controller-binary"],
];

/** Absolute path of each binary kwokctl needs (kwokctl first), from binDir then PATH. */
async function resolveKwokBinaries(binDir: string | undefined): Promise<Record<string, string>> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const names = ["kwokctl", ...KWOK_BINARY_FLAGS.map(([n]) => n)];
  const dirs = [...(binDir ? [binDir] : []), ...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean)];
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const hit = dirs
      .map((d) => path.join(d, name))
      .find((f) => {
        try {
          const st = fs.statSync(f);
          return st.isFile() && (st.mode & 0o111) !== 0;
        } catch {
          return false;
        }
      });
    if (hit) found[name] = hit;
    else missing.push(name);
  }
  if (missing.length > 0) {
    const where = binDir ? `${binDir} or PATH` : "PATH";
    throw new Error(
      `the simulated cluster needs ${missing.join(", ")}, not found in ${where}. ` +
        "Run `npm run toolchain` (builds them offline into ~/.cache/cto/toolchain), or set CTO_TOOLCHAIN_BIN.",
    );
  }
  return found;
}

/** Runs kwokctl for this cluster; resolves with stdout, rejects with the tail of stderr. */
async function runKwokctl(inputs: SimulatedInputs, args: string[], timeoutMs = 180_000): Promise<string> {
  const { spawn } = await import("node:child_process");
  const bins = await resolveKwokBinaries(inputs.binDir);
  const env = { ...process.env, KWOK_RUNTIME: "binary", KWOK_WORKDIR: inputs.workdir };
  return new Promise<string>((resolve, reject) => {
    const child = spawn(bins.kwokctl!, ["--name", inputs.name, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `kwokctl ${args.slice(0, 2).join(" ")} for cluster ${inputs.name} failed (${signal ?? `exit ${code}`}): ` +
              (err.trim().split("\n").slice(-8).join("\n") || out.trim()),
          ),
        );
    });
  });
}

/** `<workdir>/clusters/<name>`: kwokctl's directory for the cluster. */
async function clusterDir(inputs: Pick<SimulatedInputs, "workdir" | "name">): Promise<string> {
  const path = await import("node:path");
  return path.join(inputs.workdir, "clusters", inputs.name);
}

/**
 * kwok's kubeconfig with every certificate/key file inlined as `*-data`, so the result works
 * from any process; also returns the server URL.
 */
async function loadKubeconfig(
  inputs: Pick<SimulatedInputs, "workdir" | "name">,
): Promise<{ kubeconfig: string; endpoint: string }> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const file = path.join(await clusterDir(inputs), "kubeconfig.yaml");
  const text = await fs.readFile(file, "utf8");
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\s*)(certificate-authority|client-certificate|client-key):\s*(.+?)\s*$/.exec(line);
    if (m) {
      const ref = m[3]!.replace(/^["']|["']$/g, "");
      const abs = path.isAbsolute(ref) ? ref : path.join(path.dirname(file), ref);
      lines.push(`${m[1]}${m[2]}-data: ${(await fs.readFile(abs)).toString("base64")}`);
    } else lines.push(line);
  }
  const server = /^\s*server:\s*(\S+)\s*$/m.exec(text)?.[1];
  if (!server) throw new Error(`no server URL in ${file}`);
  return { kubeconfig: lines.join("\n"), endpoint: server.replace(/^["']|["']$/g, "") };
}

/** One request to the cluster's API server with the kubeconfig's client certificate. */
async function kubeRequest(kubeconfig: string, method: string, urlPath: string, body?: unknown): Promise<unknown> {
  const https = await import("node:https");
  const field = (key: string) => {
    const v = new RegExp(`^\\s*${key}:\\s*(\\S+)\\s*$`, "m").exec(kubeconfig)?.[1];
    return v ? Buffer.from(v, "base64") : undefined;
  };
  const server = /^\s*server:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1];
  if (!server) throw new Error("no server URL in the kubeconfig");
  const url = new URL(urlPath, server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: field("certificate-authority-data"),
        cert: field("client-certificate-data"),
        key: field("client-key-data"),
        rejectUnauthorized: !/^\s*insecure-skip-tls-verify:\s*true\s*$/m.test(kubeconfig),
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/merge-patch+json" } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        let data = "";
        res.on("data", (d: Buffer) => (data += d.toString()));
        res.on("end", () => {
          if ((res.statusCode ?? 500) >= 300)
            reject(new Error(`${method} ${urlPath}: HTTP ${res.statusCode}: ${data}`));
          else resolve(data ? JSON.parse(data) : undefined);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

interface NodeList {
  items: {
    metadata: { name: string };
    spec?: { taints?: { key: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}

/**
 * Waits until exactly `count` nodes exist, all Ready and untainted (kwok has taken them over).
 * kwok marks a node Ready within seconds on an idle machine, but on a loaded 2-core machine (load
 * 30) it was seen to take over 2 minutes; five minutes keeps a slow machine from failing the create.
 */
async function waitForNodes(kubeconfig: string, count: number, timeoutMs = 300_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < until) {
    try {
      const list = (await kubeRequest(kubeconfig, "GET", "/api/v1/nodes")) as NodeList;
      const ready = list.items.filter(
        (n) =>
          n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
          !(n.spec?.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/")),
      );
      if (list.items.length === count && ready.length === count) return;
      last = `${ready.length} of ${list.items.length} nodes Ready, want ${count}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`simulated nodes not ready after ${timeoutMs / 1000}s: ${last}`);
}

/** Sets allocatable and capacity CPU/memory of every existing node (status subresource). */
async function setNodeCapacity(kubeconfig: string, cpu: string, memory: string): Promise<void> {
  const list = (await kubeRequest(kubeconfig, "GET", "/api/v1/nodes")) as NodeList;
  const resources = { cpu, memory };
  for (const n of list.items) {
    await kubeRequest(kubeconfig, "PATCH", `/api/v1/nodes/${encodeURIComponent(n.metadata.name)}/status`, {
      status: { allocatable: resources, capacity: resources },
    });
  }
}

/** Adds or removes simulated nodes to reach `inputs.nodes`; new nodes get the given capacity. */
async function scaleNodes(inputs: SimulatedInputs): Promise<void> {
  await runKwokctl(inputs, [
    "scale",
    "node",
    "--replicas",
    String(inputs.nodes),
    "--param",
    `.allocatable.cpu=${JSON.stringify(inputs.cpu)}`,
    "--param",
    `.allocatable.memory=${JSON.stringify(inputs.memory)}`,
  ]);
}

/**
 * Runs `fn` holding the machine-wide lock on creating kwok clusters. kwokctl picks each
 * component's port by probing downwards from 32767 in every process, so two clusters created at
 * once (dev and staging together, two terminals) pick the same ports and one never serves ("Cluster
 * is not served yet" after 2 minutes). The lock is a directory under /tmp (ports are per machine,
 * and cto gives the engine a private TMPDIR) holding the holder's pid.
 *
 * Every change is one rename, so no two waiters can both hold it: the lock appears complete (a
 * filled temporary directory renamed into place, which fails while another lock is there), and
 * goes away by being renamed aside. A holder that died leaves a lock the waiters take over; of
 * those that judged it dead, the one that creates the claim named after that lock (its pid and
 * inode) removes it, after checking it is still that lock, so a waiter acting late on an old
 * judgement never removes the next holder's lock. `takeoverDelayMs` (tests) widens that gap.
 */
export async function withKwokCreateLock<T>(
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; lock?: string; takeoverDelayMs?: number } = {},
): Promise<T> {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const lock = opts.lock ?? path.join(process.platform === "win32" ? os.tmpdir() : "/tmp", "cto-kwokctl-create.lock");
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const me = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let seq = 0;
  const scratch = (what: string): string => `${lock}.${what}-${me}-${seq++}`;
  const alive = (pid: number): boolean => {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  };
  /** Who holds `dir`, and an identity that changes when it is replaced; undefined while unknown. */
  const holder = (dir: string): { pid: number; id: string } | undefined => {
    let stat;
    try {
      stat = fs.statSync(dir);
    } catch {
      return undefined;
    }
    try {
      const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8"));
      return { pid, id: `${pid}.${stat.ino}` };
    } catch {
      // No pid: an older cto between mkdir and writing it, unless that was long ago.
      return Date.now() - stat.mtimeMs < 10_000 ? undefined : { pid: NaN, id: `none.${stat.ino}` };
    }
  };
  /** Creates `dir` holding this pid, complete or not at all; false when someone holds it. */
  const take = (dir: string): boolean => {
    const tmp = scratch("new");
    fs.mkdirSync(tmp, { mode: 0o755 });
    fs.writeFileSync(path.join(tmp, "pid"), String(process.pid));
    try {
      fs.renameSync(tmp, dir);
      return true;
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (["ENOTEMPTY", "EEXIST", "EPERM", "EACCES"].includes((e as NodeJS.ErrnoException).code ?? "")) return false;
      throw e;
    }
  };
  /** Removes `dir` in one step (renamed aside), then its contents. */
  const discard = (dir: string): void => {
    const trash = scratch("old");
    try {
      fs.renameSync(dir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    fs.rmSync(trash, { recursive: true, force: true });
  };
  /** Removes `dir` if it is still the dead holder's; false when another waiter is doing it. */
  const evict = (dir: string, dead: { id: string }): boolean => {
    const claim = `${dir}.evict-${dead.id}`;
    if (take(claim)) {
      try {
        if (holder(dir)?.id === dead.id) discard(dir);
      } finally {
        discard(claim);
      }
      return true;
    }
    const claimer = holder(claim);
    return claimer !== undefined && !alive(claimer.pid) && evict(claim, claimer);
  };
  const until = Date.now() + timeoutMs;
  while (!take(lock)) {
    const held = holder(lock);
    if (held && !alive(held.pid)) {
      if (opts.takeoverDelayMs) await sleep(opts.takeoverDelayMs);
      if (evict(lock, held)) continue;
    }
    if (Date.now() > until)
      throw new Error(`another kwok cluster is still being created after ${timeoutMs / 1000}s (lock ${lock})`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    discard(lock);
  }
}

async function createCluster(inputs: SimulatedInputs): Promise<SimulatedOutputs> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const bins = await resolveKwokBinaries(inputs.binDir);
  const ownerFile = path.join(inputs.workdir, `${inputs.name}.owner`);
  if (fs.existsSync(await clusterDir(inputs))) {
    const owner = fs.existsSync(ownerFile) ? fs.readFileSync(ownerFile, "utf8").trim() : "";
    if (owner !== inputs.owner) {
      throw new Error(
        `a simulated cluster named ${inputs.name} already exists in ${inputs.workdir} and belongs to another stack ` +
          "(or was made outside cto). Give this environment its own cluster.name, or delete that cluster with " +
          `KWOK_WORKDIR=${inputs.workdir} kwokctl delete cluster --name ${inputs.name}`,
      );
    }
    // Left over by this resource's own interrupted create: start clean.
    await runKwokctl(inputs, ["delete", "cluster"], 60_000);
  }
  fs.mkdirSync(inputs.workdir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(ownerFile, inputs.owner + "\n", { mode: 0o600 });
  const binaryFlags = KWOK_BINARY_FLAGS.flatMap(([name, flag]) => [flag, bins[name]!]);
  try {
    await withKwokCreateLock(() =>
      runKwokctl(inputs, ["create", "cluster", "--wait", "2m", "--kubeconfig", "", ...binaryFlags]),
    );
    await scaleNodes(inputs);
    const { kubeconfig, endpoint } = await loadKubeconfig(inputs);
    await waitForNodes(kubeconfig, inputs.nodes);
    return { ...inputs, kubeconfig, endpoint };
  } catch (e) {
    // The engine records nothing for a failed create, so a destroy would never remove what was
    // started (kube-apiserver, etcd, kwok processes and their directory): remove it here.
    await removeCluster(inputs).catch(() => undefined);
    throw e;
  }
}

/** Stops and deletes the cluster, its owner file and the directories kwokctl leaves behind. */
async function removeCluster(props: SimulatedInputs): Promise<void> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  if (fs.existsSync(await clusterDir(props))) await runKwokctl(props, ["delete", "cluster"], 120_000);
  fs.rmSync(path.join(props.workdir, `${props.name}.owner`), { force: true });
  // kwokctl leaves its (now empty) directories behind; remove them, and cto's per-cluster
  // directory (`<ctoHome>/clusters/<name>`, the workdir's parent) once nothing else is in it.
  const dirs = [path.join(props.workdir, "clusters"), props.workdir];
  if (path.basename(path.dirname(props.workdir)) === props.name) dirs.push(path.dirname(props.workdir));
  for (const dir of dirs) {
    try {
      fs.rmdirSync(dir);
    } catch {
      break; // not empty (or already gone): leave it and its parents alone
    }
  }
}

/** Node dynamic provider of {@link SimulatedCluster} (exported for tests). */
export const simulatedClusterProvider: pulumi.dynamic.ResourceProvider<SimulatedInputs, SimulatedOutputs> = {
  async check(olds, news) {
    const { randomUUID } = await import("node:crypto");
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const quantity = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
    if (typeof news.name !== "string" || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(news.name))
      failures.push({ property: "name", reason: "must be a DNS label (lowercase letters, digits and '-')" });
    if (!Number.isInteger(news.nodes) || news.nodes < 1 || news.nodes > 100)
      failures.push({ property: "nodes", reason: "must be a whole number from 1 to 100" });
    if (typeof news.cpu !== "string" || !quantity.test(news.cpu))
      failures.push({ property: "cpu", reason: 'must be a Kubernetes quantity such as "4" or "3500m"' });
    if (typeof news.memory !== "string" || !quantity.test(news.memory))
      failures.push({ property: "memory", reason: 'must be a Kubernetes quantity such as "8Gi"' });
    if (typeof news.workdir !== "string" || !news.workdir.startsWith("/"))
      failures.push({ property: "workdir", reason: "must be an absolute directory path" });
    const given = (v: unknown): v is string => typeof v === "string" && v !== "";
    const owner = given(olds?.owner) ? olds.owner : given(news.owner) ? news.owner : randomUUID();
    return { inputs: { ...news, owner }, failures };
  },

  async diff(_id, olds, news) {
    const replaces = (["name", "workdir"] as const).filter((k) => olds[k] !== news[k]);
    const changes = (["nodes", "cpu", "memory", "binDir"] as const).filter((k) => olds[k] !== news[k]);
    return {
      changes: replaces.length + changes.length > 0,
      replaces: [...replaces],
      // Resizing or scaling in place keeps the cluster, so its kubeconfig and endpoint stay known
      // in the preview; otherwise they would read as unknown and the kubernetes provider built
      // from them (and everything it manages) would be previewed as replaced.
      ...(replaces.length === 0 ? { stables: ["kubeconfig", "endpoint", "name", "workdir", "owner"] } : {}),
      // Same name and directory: the old cluster must be gone before the new one is created.
      deleteBeforeReplace: true,
    };
  },

  async create(inputs) {
    const outs = await createCluster(inputs);
    return { id: `${inputs.workdir}#${inputs.name}`, outs };
  },

  async update(_id, olds, news) {
    const { kubeconfig, endpoint } = await loadKubeconfig(news);
    if (olds.cpu !== news.cpu || olds.memory !== news.memory) await setNodeCapacity(kubeconfig, news.cpu, news.memory);
    if (olds.nodes !== news.nodes) await scaleNodes(news);
    await waitForNodes(kubeconfig, news.nodes);
    return { outs: { ...news, kubeconfig, endpoint } };
  },

  async delete(_id, props) {
    await removeCluster(props);
  },
};

/**
 * A kwok cluster on this machine as a Pulumi resource: create starts it and scales its nodes,
 * changes to node count or capacity update it in place, delete runs `kwokctl delete cluster`.
 *
 * @example
 * const cluster = new SimulatedCluster("dev-cluster", {
 *   name: "acme-dev", nodes: 2, cpu: "4", memory: "8Gi",
 *   workdir: "/home/me/.cto/clusters/acme-dev/kwok", binDir: toolchainBinDir(),
 * }, { parent: this });
 * const provider = new k8s.Provider("dev-k8s", { kubeconfig: cluster.kubeconfig }, { parent: this });
 */
export class SimulatedCluster extends pulumi.dynamic.Resource {
  /** Self-contained kubeconfig for the cluster (certificates inlined). Secret. */
  declare readonly kubeconfig: pulumi.Output<string>;
  /** API server URL, `https://127.0.0.1:<port>`. */
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly nodes: pulumi.Output<number>;
  declare readonly cpu: pulumi.Output<string>;
  declare readonly memory: pulumi.Output<string>;
  declare readonly workdir: pulumi.Output<string>;

  constructor(name: string, args: SimulatedClusterArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      simulatedClusterProvider,
      name,
      { ...args, owner: `${pulumi.getProject()}/${pulumi.getStack()}`, kubeconfig: undefined, endpoint: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
      "cto",
      "SimulatedCluster",
    );
  }
}

/** Inputs of a {@link SimulatedKubeconfig}. */
export interface SimulatedKubeconfigArgs {
  /** The cluster's name and kwok work directory, as given to its {@link SimulatedCluster}. */
  name: pulumi.Input<string>;
  workdir: pulumi.Input<string>;
  /** The {@link SimulatedCluster}'s id: a new cluster (new id) is read again. */
  cluster: pulumi.Input<string>;
}

interface KubeconfigReadInputs {
  name: string;
  workdir: string;
  cluster: string;
}

/** Node dynamic provider of {@link SimulatedKubeconfig} (exported for tests). */
export const simulatedKubeconfigProvider: pulumi.dynamic.ResourceProvider<
  KubeconfigReadInputs,
  KubeconfigReadInputs & { kubeconfig: string; endpoint: string }
> = {
  async diff(_id, olds, news) {
    const changed = (["name", "workdir", "cluster"] as const).some((k) => olds[k] !== news[k]);
    return { changes: changed, replaces: [] };
  },
  async create(inputs) {
    return {
      id: `${inputs.workdir}#${inputs.name}#kubeconfig`,
      outs: { ...inputs, ...(await loadKubeconfig(inputs)) },
    };
  },
  async update(_id, _olds, news) {
    return { outs: { ...news, ...(await loadKubeconfig(news)) } };
  },
};

/**
 * The kubeconfig of a {@link SimulatedCluster}, read from kwok's directory. A resource of its own
 * because its inputs do not change when the cluster is resized or rescaled: the engine previews
 * an update of a dynamic resource with all its outputs unknown, and a kubernetes provider built
 * from an unknown kubeconfig is previewed as replaced — with everything it manages. Read from
 * here, the kubeconfig stays known (and the provider unchanged) unless the cluster itself is new.
 */
export class SimulatedKubeconfig extends pulumi.dynamic.Resource {
  /** Self-contained kubeconfig for the cluster (certificates inlined). Secret. */
  declare readonly kubeconfig: pulumi.Output<string>;
  /** API server URL, `https://127.0.0.1:<port>`. */
  declare readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: SimulatedKubeconfigArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      simulatedKubeconfigProvider,
      name,
      { ...args, kubeconfig: undefined, endpoint: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
      "cto",
      "SimulatedKubeconfig",
    );
  }
}
