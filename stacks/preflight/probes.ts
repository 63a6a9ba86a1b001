/**
 * Probes: every way a check looks at the machine, behind one injectable interface.
 *
 * Checks never call `fs`, `os`, `dns`, `fetch` or `child_process` directly; they ask the probes.
 * Unit tests pass a fake `Probes` that reports a tool found, missing or too old, memory below or
 * above a profile, a port busy or free, a cluster short or big enough.
 */
import { constants as fsConstants, promises as fs } from "node:fs";
import { lookup } from "node:dns/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { toolchainBinDir } from "../../config/toolchain.js";
import { runCommand, type CommandRunner } from "../diagnose/run.js";
import { cachedPulumiVersion } from "../pulumi-cli.js";

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface DiskInfo {
  /** The directory actually measured (the nearest existing ancestor of the one asked for). */
  path: string;
  freeBytes: number;
  totalBytes: number;
}

/** A TCP port on this machine. `holder` names the listening process when the OS tells us. */
export type PortStatus = { state: "free" } | { state: "busy"; holder?: string };

export type DnsResult = { ok: true; addresses: string[] } | { ok: false; code: string; message: string };

export type HttpResult =
  { ok: true; status: number; headers: Record<string, string>; body: string } | { ok: false; message: string };

export type WritableResult = { ok: true; exists: boolean; checked: string } | { ok: false; reason: string };

export interface Probes {
  /** Runs a command (no shell). */
  run: CommandRunner;
  /** Absolute path of an executable: `dirs` first (in order), then PATH. */
  which(name: string, dirs?: string[]): Promise<string | undefined>;
  memInfo(): Promise<MemInfo | undefined>;
  cpuCount(): number;
  /** Free space where `dir` is or would be created. */
  diskFree(dir: string): Promise<DiskInfo | undefined>;
  port(port: number): Promise<PortStatus>;
  resolve(host: string): Promise<DnsResult>;
  /** GET with headers; the response body is cut to 64 KiB. Headers are lower-cased. */
  httpGet(url: string, headers: Record<string, string>): Promise<HttpResult>;
  /** Whether `dir` exists and accepts a new file, or else whether it could be created. */
  writableDir(dir: string): Promise<WritableResult>;
  exists(file: string): Promise<boolean>;
  /** Permission bits of a file (e.g. 0o600), undefined when it does not exist. */
  fileMode(file: string): Promise<number | undefined>;
  /** True when systemd is PID 1 (sd_booted(3): /run/systemd/system exists). */
  systemdRunning(): Promise<boolean>;
  /** The toolchain's bin directory (`~/.cache/cto/toolchain/current` names it), if built. */
  toolchainBinDir(): Promise<string | undefined>;
  /**
   * What `<exe> version` prints for a Pulumi CLI (undefined when it fails), cached under
   * `<ctoHome>/run` per executable as the lifecycle's own lookup caches it (`../pulumi-cli.ts`).
   */
  pulumiVersion(exe: string, ctoHome: string): Promise<string | undefined>;
  platform: NodeJS.Platform;
  /** Effective user id; undefined on Windows. */
  uid: number | undefined;
  /** Version of the Node.js running `cto`, without the "v". */
  nodeVersion: string;
  env: NodeJS.ProcessEnv;
  home: string;
}

export interface RealProbeOptions {
  env?: NodeJS.ProcessEnv;
  /** Home directory; default `os.homedir()` (which honours $HOME). */
  home?: string;
  run?: CommandRunner;
  /**
   * The toolchain's bin as the run resolved it (`RunContext.toolchainBin`; null: none built). The
   * CLI always passes it, so doctor and `cto up` check what the run will use; left out (tests),
   * it is looked up from `env` and `home`.
   */
  toolchainBin?: string | null;
}

/** Probes that look at this machine. */
export function realProbes(options: RealProbeOptions = {}): Probes {
  const env = options.env ?? process.env;
  const home = options.home ?? os.homedir();
  const run = options.run ?? runCommand;
  return {
    run,
    which: (name, dirs = []) => which(name, dirs, env),
    memInfo,
    cpuCount: () => os.availableParallelism(),
    diskFree,
    port: (port) => portStatus(port, run),
    resolve: resolveHost,
    httpGet,
    writableDir,
    exists: (file) => exists(file),
    fileMode: async (file) => {
      try {
        return (await fs.stat(file)).mode & 0o777;
      } catch {
        return undefined;
      }
    },
    systemdRunning: () => exists("/run/systemd/system"),
    toolchainBinDir: async () =>
      options.toolchainBin === undefined
        ? toolchainBinDir({ ...env, HOME: options.home ?? env.HOME })
        : (options.toolchainBin ?? undefined),
    pulumiVersion: cachedPulumiVersion,
    platform: process.platform,
    uid: typeof process.getuid === "function" ? process.getuid() : undefined,
    nodeVersion: process.versions.node,
    env,
    home,
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function which(name: string, dirs: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const pathDirs = (env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  for (const dir of [...dirs, ...pathDirs]) {
    const candidate = path.join(dir, name);
    try {
      const stat = await fs.stat(candidate);
      if (stat.isFile()) {
        await fs.access(candidate, fsConstants.X_OK);
        return candidate;
      }
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

async function memInfo(): Promise<MemInfo | undefined> {
  try {
    const text = await fs.readFile("/proc/meminfo", "utf8");
    const field = (name: string): number | undefined => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
      return m?.[1] !== undefined ? Number(m[1]) * 1024 : undefined;
    };
    const total = field("MemTotal");
    if (total !== undefined) return { totalBytes: total, availableBytes: field("MemAvailable") ?? os.freemem() };
  } catch {
    // not Linux: fall through
  }
  return { totalBytes: os.totalmem(), availableBytes: os.freemem() };
}

/** The directory itself or, when it does not exist yet, its nearest existing ancestor. */
export async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  while (!(await exists(current))) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

async function diskFree(dir: string): Promise<DiskInfo | undefined> {
  const measured = await nearestExisting(dir);
  try {
    const s = await fs.statfs(measured);
    return { path: measured, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

async function writableDir(dir: string): Promise<WritableResult> {
  const target = path.resolve(dir);
  const dirExists = await exists(target);
  const checked = dirExists ? target : await nearestExisting(target);
  try {
    const stat = await fs.stat(checked);
    if (!stat.isDirectory()) return { ok: false, reason: `${checked} exists and is not a directory` };
    // access(W_OK) says yes to root even on a read-only mount: write a file to be sure.
    const probe = path.join(checked, `.cto-write-test-${process.pid}-${Date.now()}`);
    await fs.writeFile(probe, "", { mode: 0o600 });
    await fs.rm(probe, { force: true });
    return { ok: true, exists: dirExists, checked };
  } catch (err) {
    return { ok: false, reason: `${checked} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
}

/** Listening TCP ports from /proc/net/tcp{,6} (Linux): port → true. Undefined when unavailable. */
async function listeningFromProc(): Promise<Set<number> | undefined> {
  const ports = new Set<number>();
  let readAny = false;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      const text = await fs.readFile(file, "utf8");
      readAny = true;
      for (const line of text.split("\n").slice(1)) {
        const cols = line.trim().split(/\s+/);
        // cols[1] = local "ADDR:PORT" in hex, cols[3] = state; 0A = LISTEN
        if (cols[3] === "0A" && cols[1] !== undefined) {
          const hexPort = cols[1].split(":").pop();
          if (hexPort) ports.add(parseInt(hexPort, 16));
        }
      }
    } catch {
      // file absent (not Linux, or IPv6 disabled)
    }
  }
  return readAny ? ports : undefined;
}

/** Tries to listen on the port on all addresses: EADDRINUSE means something holds it. */
function bindTest(port: number): Promise<"free" | "busy" | "unknown"> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE" ? "busy" : "unknown"));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve("free")));
  });
}

/** Names the process listening on a port: `ss -ltnp` (Linux) or `lsof` (macOS). */
async function portHolder(port: number, run: CommandRunner): Promise<string | undefined> {
  const ss = await run("ss", ["-H", "-l", "-t", "-n", "-p", `sport = :${port}`], { timeoutMs: 5000 });
  if (ss.found && ss.code === 0) {
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss.stdout);
    if (m) return `${m[1]} (pid ${m[2]})`;
  }
  const lsof = await run("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fcp"], { timeoutMs: 5000 });
  if (lsof.found && lsof.code === 0) {
    const pid = /^p(\d+)/m.exec(lsof.stdout)?.[1];
    const cmd = /^c(.+)$/m.exec(lsof.stdout)?.[1];
    if (pid && cmd) return `${cmd} (pid ${pid})`;
  }
  return undefined;
}

async function portStatus(port: number, run: CommandRunner): Promise<PortStatus> {
  const listening = await listeningFromProc();
  let busy = listening?.has(port) ?? false;
  if (!busy) busy = (await bindTest(port)) === "busy";
  if (!busy) return { state: "free" };
  const holder = await portHolder(port, run);
  return holder ? { state: "busy", holder } : { state: "busy" };
}

async function resolveHost(host: string): Promise<DnsResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DnsResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, code: "ETIMEOUT", message: "DNS lookup timed out after 5 s" }), 5000);
  });
  const query = lookup(host, { all: true }).then(
    (addrs): DnsResult => ({ ok: true, addresses: addrs.map((a) => a.address) }),
    (err: NodeJS.ErrnoException): DnsResult => ({ ok: false, code: err.code ?? "ERROR", message: err.message }),
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function httpGet(url: string, headers: Record<string, string>): Promise<HttpResult> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(8000), redirect: "follow" });
    const body = (await res.text()).slice(0, 64 * 1024);
    const out: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      out[key.toLowerCase()] = value;
    });
    return { ok: true, status: res.status, headers: out, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, message: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}
