/**
 * One e2e project: a sandbox (own HOME, CTO_HOME, PULUMI_HOME; CI=true, no TTY), the stand-in
 * charts served by a chart mirror on 127.0.0.1, the built `cto` binary, and kubectl against the
 * simulated clusters `cto` creates — read through kwok's own kubeconfig, not through our outputs.
 */
import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";
import { decodeHelmReleaseSecret } from "../../stacks/chart-crds.js";
import { startChartMirror, type ChartMirror } from "./chart-mirror.js";
import { defaultChartRepo } from "./chart-repo.js";
import { dataFor } from "./charts-data.js";
import { runCto, Sandbox, type CtoResult } from "./cli.js";
import { exec, Kubectl, requireToolchain, type KubeList } from "./kwok.js";

/** The engine passes one cto command started, and every Pulumi CLI command it ran. */
export interface EngineRuns {
  previews: number;
  updates: number;
  pulumi: string[];
}

export class CtoProject {
  readonly sandbox: Sandbox;
  readonly env: NodeJS.ProcessEnv;
  readonly bin: string;
  mirror!: ChartMirror;
  /** Every cto invocation with its result, for failure messages. */
  readonly log: { args: string[]; result: CtoResult }[] = [];

  private constructor(bin: string) {
    this.bin = bin;
    this.sandbox = new Sandbox("cto-e2e-");
    this.env = {
      ...this.sandbox.env,
      CI: "true",
      CTO_TOOLCHAIN_BIN: bin,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
  }

  /** A fresh project with its own mirror (all stand-in chart versions). */
  static async create(): Promise<CtoProject> {
    const project = new CtoProject(requireToolchain());
    const repo = path.join(project.sandbox.root, "charts");
    await defaultChartRepo(repo);
    project.mirror = await startChartMirror(repo);
    return project;
  }

  get configFile(): string {
    return path.join(this.sandbox.cwd, "cto.yaml");
  }

  get home(): string {
    return this.env.CTO_HOME as string;
  }

  /**
   * From now on, logs every Pulumi CLI process cto starts: `CTO_PULUMI_BIN_DIR` names a directory
   * whose `pulumi` is a script that appends its subcommand (`up`, `preview`, `version`, `config
   * set-all`, …: the first two words that are not flags, never values or secrets) to a log, then
   * execs the toolchain's `pulumi`, which stays the engine (same process, same version; the
   * toolchain's bin stays on the engine's PATH for plugins). Call it before the first cto command,
   * so every run of the project finds the CLI the same way. Read with `pulumiCommands`.
   */
  countPulumiCommands(): void {
    const dir = path.join(this.sandbox.root, "pulumi-counted", "bin");
    mkdirSync(dir, { recursive: true });
    const real = path.join(this.bin, "pulumi");
    assert.ok(existsSync(real), `the toolchain's pulumi (${real})`);
    const script = path.join(dir, "pulumi");
    writeFileSync(
      script,
      [
        "#!/bin/sh",
        'words=""; n=0',
        'for a in "$@"; do',
        '  case "$a" in -*) break ;; esac',
        '  words="$words${words:+ }$a"; n=$((n + 1)); [ "$n" -ge 2 ] && break',
        "done",
        `printf '%s\\n' "$words" >> '${this.pulumiLog}'`,
        `exec '${real}' "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(script, 0o755);
    this.env.CTO_PULUMI_BIN_DIR = dir;
  }

  private get pulumiLog(): string {
    return path.join(this.sandbox.root, "pulumi-counted", "commands.log");
  }

  /** The Pulumi CLI commands cto started since `countPulumiCommands`, in order ("up", "preview", "stack select", …). */
  pulumiCommands(): string[] {
    assert.ok(this.env.CTO_PULUMI_BIN_DIR, "countPulumiCommands() was called first");
    if (!existsSync(this.pulumiLog)) return [];
    return readFileSync(this.pulumiLog, "utf8").split("\n").filter(Boolean);
  }

  /**
   * The engine passes among the Pulumi CLI commands logged after the first `mark` of them
   * (`pulumiCommands().length` before the cto command): `pulumi preview` and `pulumi up` processes.
   */
  engineRunsSince(mark: number): EngineRuns {
    const pulumi = this.pulumiCommands().slice(mark);
    return {
      previews: pulumi.filter((c) => c === "preview").length,
      updates: pulumi.filter((c) => c === "up").length,
      pulumi,
    };
  }

  /**
   * Runs `cto ...args` (exit 0 asserted) and counts its engine passes (`countPulumiCommands` first).
   */
  async okCountingEngine(...args: string[]): Promise<CtoResult & EngineRuns> {
    const mark = this.pulumiCommands().length;
    const r = await this.ok(...args);
    return { ...r, ...this.engineRunsSince(mark) };
  }

  /** Runs `cto ...args` in the project directory. */
  async cto(args: string[], timeoutMs = 600_000): Promise<CtoResult> {
    const result = await runCto(args, { cwd: this.sandbox.cwd, env: this.env, timeoutMs });
    this.log.push({ args, result });
    return result;
  }

  /** Runs `cto ...args` and asserts exit code 0 (the output is in the failure message). */
  async ok(...args: string[]): Promise<CtoResult> {
    const r = await this.cto(args);
    assert.equal(r.code, 0, `cto ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return r;
  }

  /**
   * `cto init --yes` for a simulated cluster with the given profile and platform name, then every
   * chart pointed at the mirror.
   */
  async init(profile: string, name: string): Promise<void> {
    await this.ok(
      ...["init", "--yes", "--provider", "simulated", "--profile", profile],
      ...["--org", "acme", "--repo", "platform", "--name", name],
    );
    await this.useMirror();
  }

  /** Edits cto.yaml through the YAML document API (comments kept). */
  async editConfig(edit: (doc: YAML.Document) => void): Promise<void> {
    const doc = YAML.parseDocument(await readFile(this.configFile, "utf8"));
    edit(doc);
    await writeFile(this.configFile, doc.toString());
  }

  /** Points every chart at the mirror (the platform's own objects come with cto). */
  async useMirror(): Promise<void> {
    await this.editConfig((doc) => {
      doc.setIn(["charts", "default", "repository"], this.mirror.url);
    });
  }

  /** kwok's directory for a simulated cluster cto created: `<CTO_HOME>/clusters/<name>/kwok`. */
  kwokWorkdir(cluster: string): string {
    return path.join(this.home, "clusters", cluster, "kwok");
  }

  /** kubectl with kwok's own kubeconfig of the named simulated cluster. */
  kubectl(cluster: string): Kubectl {
    const file = path.join(this.kwokWorkdir(cluster), "clusters", cluster, "kubeconfig.yaml");
    assert.ok(existsSync(file), `simulated cluster ${cluster} exists (${file})`);
    return new Kubectl(file);
  }

  /** Names of the simulated clusters whose kwok directories exist under CTO_HOME. */
  clusters(): string[] {
    const root = path.join(this.home, "clusters");
    if (!existsSync(root)) return [];
    return readdirSync(root).filter((name) => existsSync(path.join(this.kwokWorkdir(name), "clusters", name)));
  }

  /** Stops every simulated cluster left behind, closes the mirror, removes the sandbox. */
  async cleanup(): Promise<void> {
    for (const name of this.clusters()) {
      await exec(path.join(this.bin, "kwokctl"), ["--name", name, "delete", "cluster"], {
        env: { ...process.env, KWOK_RUNTIME: "binary", KWOK_WORKDIR: this.kwokWorkdir(name) },
        timeoutMs: 60_000,
      });
    }
    await this.mirror?.close();
    await rm(this.sandbox.root, { recursive: true, force: true });
  }

  /**
   * `after` hook of a scenario: `cto destroy --yes` for each environment (default: the config's
   * default one), whatever the outcome, then `cleanup()`.
   */
  async teardown(...environments: string[]): Promise<void> {
    try {
      const targets = environments.length > 0 ? environments.map((e) => ["--env", e]) : [[]];
      for (const target of targets) await this.cto(["destroy", "--yes", ...target]);
    } finally {
      await this.cleanup();
    }
  }

  /** `afterEach` hook: prints the last cto invocations when the test that just ran failed. */
  reportIfFailed(context: Mocha.Context): void {
    if (context.currentTest?.state === "failed") console.error(this.transcript());
  }

  /** The last `n` cto invocations, for a failure message. */
  transcript(n = 3): string {
    return this.log
      .slice(-n)
      .map((l) => `$ cto ${l.args.join(" ")}  (exit ${l.result.code})\n${l.result.stdout}\n${l.result.stderr}`)
      .join("\n");
  }
}

/** Ready/desired replicas of every Deployment and StatefulSet in the namespaces. */
export async function workloads(
  k: Kubectl,
  namespaces: string[],
): Promise<{ ref: string; desired: number; ready: number; chart?: string }[]> {
  const out: { ref: string; desired: number; ready: number; chart?: string }[] = [];
  for (const ns of namespaces) {
    const list = await k.json<KubeList>("get", "deployments,statefulsets", "-n", ns);
    for (const o of list.items) {
      out.push({
        ref: `${ns}/${o.kind.toLowerCase()}/${o.metadata.name}`,
        desired: o.spec?.replicas ?? 1,
        ready: o.status?.readyReplicas ?? 0,
        chart: o.metadata.labels?.["helm.sh/chart"],
      });
    }
  }
  return out.sort((a, b) => a.ref.localeCompare(b.ref));
}

/** Helm releases in the cluster (from Helm's release Secrets): name → latest revision and status. */
export async function helmReleases(
  k: Kubectl,
): Promise<Map<string, { namespace: string; revision: number; status: string }>> {
  const list = await k.json<KubeList>("get", "secrets", "-A", "-l", "owner=helm");
  const out = new Map<string, { namespace: string; revision: number; status: string }>();
  for (const s of list.items) {
    const name = s.metadata.labels?.name ?? "";
    const revision = Number(s.metadata.labels?.version ?? 0);
    const status = s.metadata.labels?.status ?? "";
    const prev = out.get(name);
    if (!prev || prev.revision < revision) out.set(name, { namespace: s.metadata.namespace ?? "", revision, status });
  }
  return out;
}

/** Names of the CRDs whose Established condition is True. */
export async function establishedCrds(k: Kubectl): Promise<Set<string>> {
  const list = await k.json<KubeList>("get", "crd");
  return new Set(
    list.items
      .filter((c) => c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True"))
      .map((c) => c.metadata.name),
  );
}

/** Every object of the common kinds carrying the label selector, across namespaces. */
export async function labelled(k: Kubectl, selector: string): Promise<string[]> {
  const kinds = "namespaces,deployments,statefulsets,services,configmaps,secrets,serviceaccounts,jobs";
  const list = await k.json<KubeList>("get", kinds, "-A", "-l", selector);
  return list.items.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();
}

/**
 * The chart each Helm release runs, from its latest release record (Helm's own account, not the
 * workloads' labels): release name → `<chart>-<version>` and status.
 */
export async function deployedCharts(k: Kubectl): Promise<Map<string, { chart: string; status: string }>> {
  const out = new Map<string, { chart: string; status: string }>();
  for (const [name, r] of await helmReleases(k)) {
    const secret = `sh.helm.release.v1.${name}.v${r.revision}`;
    const data = await k.ok("get", "secret", "-n", r.namespace, secret, "-o", "jsonpath={.data.release}");
    const meta = decodeHelmReleaseSecret(data).chart?.metadata;
    out.set(name, { chart: `${meta?.name ?? "?"}-${meta?.version ?? "?"}`, status: r.status });
  }
  return out;
}

interface Crd {
  metadata: { name: string };
  spec: { versions: { name: string; schema?: unknown }[] };
}

/**
 * The official CRDs of a chart version that the API server does not hold as published (missing,
 * or another set of versions or schemas), from `../shared/charts-data/<chart>/<version>/crds.yaml`;
 * undefined when the data is missing (the caller skips, saying so).
 */
export async function crdsNotOfficial(k: Kubectl, chart: string, version: string): Promise<string[] | undefined> {
  const data = dataFor(chart, version);
  if (!data || !existsSync(path.join(data, "crds.yaml"))) return undefined;
  const official = YAML.parseAllDocuments(await readFile(path.join(data, "crds.yaml"), "utf8"))
    .map((d) => d.toJS() as Crd | null)
    .filter((c): c is Crd => !!c && typeof c.metadata?.name === "string");
  const wrong: string[] = [];
  for (const want of official) {
    const r = await k.run("get", "crd", want.metadata.name, "-o", "json");
    if (r.code !== 0) {
      wrong.push(`${want.metadata.name} (missing)`);
      continue;
    }
    const got = JSON.parse(r.stdout) as Crd;
    const schemas = (c: Crd) => c.spec.versions.map((v) => [v.name, v.schema ?? null]);
    if (!isDeepStrictEqual(schemas(got), schemas(want)))
      wrong.push(`${want.metadata.name} (not ${chart} ${version}'s schema)`);
  }
  return wrong;
}
