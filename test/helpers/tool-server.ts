/**
 * A stand-in for the tools' release hosts on 127.0.0.1, reached through `CTO_TOOLS_MIRROR`
 * (layout `<tool>/<version>/<os>-<arch>/<file>`). It serves small archives and executables the
 * test generates for the versions the newest platform release pins (shell scripts that answer the
 * version probes like the real tools), the publisher-style checksum files beside them, and a
 * digests file pinned for the test (`CTO_TOOL_DIGESTS`).
 *
 * Failure modes per file name: `tamper` (other bytes than the digests say), `status` (an HTTP
 * error), `stall` (half the body, then nothing: for killing the client mid-transfer).
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { loadCatalog } from "../../profiles/load.js";
import { installVersions } from "../../profiles/tools.js";
import { TOOLS, currentPlatform, platformKey, type Platform, type ToolId } from "../../stacks/tools/catalog.js";

const EPOCH = new Date(0);
/** Bulk so a transfer takes more than one chunk (the scripts ignore it: it follows `exit`). */
const PADDING = `\n${"# padding\n".repeat(40_000)}`;

function script(body: string): string {
  return `#!/bin/sh\n${body}\nexit 0\n${PADDING}`;
}

export interface ServedFile {
  tool: ToolId;
  version: string;
  name: string;
  body: Buffer;
  sha256: string;
}

export interface ToolServer {
  url: string;
  platform: Platform;
  versions: Record<ToolId, string>;
  /** The digests file to pass as CTO_TOOL_DIGESTS (pins the Pulumi CLI and kubectl archives). */
  digestsFile: string;
  files: Map<string, ServedFile>;
  /** Request paths in order. */
  requests: string[];
  /** Downloads of release files (not checksum files). */
  downloads(): string[];
  /** Per file name: misbehave. */
  faults: Map<string, { tamper?: boolean; status?: number; stall?: boolean }>;
  /** Resolves when a stalled transfer has sent its first half. */
  stalled: Promise<void>;
  env(): Record<string, string>;
  close(): Promise<void>;
}

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

async function tarGz(dir: string, out: string, entries: string[]): Promise<Buffer> {
  await tar.create({ file: out, gzip: true, cwd: dir, portable: true, mtime: EPOCH }, entries);
  return readFile(out);
}

/** Builds every release file for this machine's platform and starts serving them. */
export async function startToolServer(): Promise<ToolServer> {
  const platform = currentPlatform();
  if (!platform) throw new Error(`no tool downloads for ${process.platform}/${process.arch}`);
  const catalog = await loadCatalog();
  const versions = installVersions(catalog, catalog.latestRelease);
  const work = await mkdtemp(path.join(os.tmpdir(), "cto-tool-server-"));
  const files = new Map<string, ServedFile>();
  const add = (tool: ToolId, name: string, body: Buffer): void => {
    files.set(`/${tool}/${versions[tool]}/${platformKey(platform)}/${name}`, {
      tool,
      version: versions[tool],
      name,
      body,
      sha256: sha(body),
    });
  };

  // Pulumi CLI: pulumi/ with the CLI and a language host, as the real archive lays them out.
  const p = versions.pulumi;
  await mkdir(path.join(work, "pulumi-src", "pulumi"), { recursive: true });
  await writeFile(path.join(work, "pulumi-src", "pulumi", "pulumi"), script(`echo v${p}`), { mode: 0o755 });
  await writeFile(path.join(work, "pulumi-src", "pulumi", "pulumi-language-nodejs"), script(`echo v${p}`), {
    mode: 0o755,
  });
  await writeFile(path.join(work, "pulumi-src", "pulumi", "LICENSE"), "not installed\n");
  const pulumiAsset = TOOLS.pulumi.asset(p, platform);
  add("pulumi", pulumiAsset, await tarGz(path.join(work, "pulumi-src"), path.join(work, pulumiAsset), ["pulumi"]));

  // The kubernetes plugin: the executable at the archive's root, with a README beside it.
  const k = versions["pulumi-kubernetes"];
  await mkdir(path.join(work, "plugin-src"), { recursive: true });
  await writeFile(path.join(work, "plugin-src", "pulumi-resource-kubernetes"), script("echo plugin"), {
    mode: 0o755,
  });
  await writeFile(path.join(work, "plugin-src", "README.md"), "not installed\n");
  const pluginAsset = TOOLS["pulumi-kubernetes"].asset(k, platform);
  add(
    "pulumi-kubernetes",
    pluginAsset,
    await tarGz(path.join(work, "plugin-src"), path.join(work, pluginAsset), [
      "pulumi-resource-kubernetes",
      "README.md",
    ]),
  );

  // Bare executables.
  add("kubectl", "kubectl", Buffer.from(script(`echo '{"clientVersion":{"gitVersion":"v${versions.kubectl}"}}'`)));
  add("kind", TOOLS.kind.asset(versions.kind, platform), Buffer.from(script(`echo "kind v${versions.kind} go1.26"`)));
  add("minikube", TOOLS.minikube.asset(versions.minikube, platform), Buffer.from(script(`echo v${versions.minikube}`)));
  // k3s: the release's single binary (Linux only), answering `k3s --version` as the real one does.
  if (platform.os === "linux") {
    add(
      "k3s",
      TOOLS.k3s.asset(versions.k3s, platform),
      Buffer.from(script(`echo "k3s version v${versions.k3s} (0000000)"`)),
    );
  }

  // Publisher checksum files, in each publisher's format.
  const byTool = (t: ToolId): ServedFile[] => [...files.values()].filter((f) => f.tool === t);
  const dirOf = (t: ToolId): string => `/${t}/${versions[t]}/${platformKey(platform)}/`;
  const listing = (t: ToolId): string =>
    byTool(t)
      .map((f) => `${f.sha256}  ${f.name}\n`)
      .join("");
  const checksums: [string, string][] = [
    [`${dirOf("pulumi")}${TOOLS.pulumi.checksumFile(p, platform)}`, listing("pulumi")],
    [
      `${dirOf("pulumi-kubernetes")}${TOOLS["pulumi-kubernetes"].checksumFile(k, platform)}`,
      listing("pulumi-kubernetes"),
    ],
    [`${dirOf("kubectl")}kubectl.sha256`, (byTool("kubectl")[0] as ServedFile).sha256],
    [`${dirOf("kind")}${TOOLS.kind.checksumFile(versions.kind, platform)}`, listing("kind")],
    [
      `${dirOf("minikube")}${TOOLS.minikube.checksumFile(versions.minikube, platform)}`,
      (byTool("minikube")[0] as ServedFile).sha256,
    ],
    [`${dirOf("k3s")}${TOOLS.k3s.checksumFile(versions.k3s, platform)}`, listing("k3s")],
  ];
  const checksumFiles = new Map(checksums);

  // Digests pinned for the test: the Pulumi CLI and kubectl (the others rely on checksum files).
  const pin = (t: ToolId): string =>
    `  ${t}:\n    "${versions[t]}":\n      ${platformKey(platform)}:\n        sha256: ${(byTool(t)[0] as ServedFile).sha256}\n        source: generated by the test for this run\n`;
  const digestsFile = path.join(work, "tool-digests.yaml");
  await writeFile(digestsFile, `pins:\n${pin("pulumi")}${pin("kubectl")}`);

  const requests: string[] = [];
  const faults = new Map<string, { tamper?: boolean; status?: number; stall?: boolean }>();
  let markStalled: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => (markStalled = resolve));
  const hung: http.ServerResponse[] = [];

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push(url);
    const file = files.get(url);
    const sums = checksumFiles.get(url);
    if (!file && sums === undefined) {
      res.writeHead(404).end("not found\n");
      return;
    }
    const fault = faults.get(path.posix.basename(url));
    if (fault?.status) {
      res.writeHead(fault.status).end(`error ${fault.status}\n`);
      return;
    }
    if (sums !== undefined) {
      res.writeHead(200, { "content-type": "text/plain" }).end(sums);
      return;
    }
    let body = (file as ServedFile).body;
    if (fault?.tamper) body = Buffer.concat([body.subarray(0, body.length - 8), Buffer.from("tampered")]);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
    if (fault?.stall) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => markStalled());
      hung.push(res);
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    platform,
    versions,
    digestsFile,
    files,
    requests,
    downloads: () => requests.filter((r) => files.has(r)),
    faults,
    stalled,
    env: () => ({ CTO_TOOLS_MIRROR: url, CTO_TOOL_DIGESTS: digestsFile }),
    async close() {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A directory with nothing in it, for a PATH on which no tool is found. */
export async function emptyPathDir(root: string): Promise<string> {
  const dir = path.join(root, "empty-path");
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  return dir;
}
