/**
 * Reading a cluster through `kubectl --kubeconfig`: kubectl resolves kinds through discovery and
 * handles every authentication method a kubeconfig can name, so we never re-implement either.
 *
 * Failures are classified (unreachable, unauthorized, not found, ...) so callers can say what to
 * do instead of echoing kubectl's stderr.
 */
import { installedTool } from "../../config/toolchain.js";
import { runCommand, type CommandRunner } from "./run.js";

export type KubeErrorKind =
  | "kubectl-missing"
  | "unreachable"
  | "timeout"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "context-missing"
  | "kubeconfig-invalid"
  | "certificate"
  | "other";

export interface KubeError {
  kind: KubeErrorKind;
  /** kubectl's own words (first meaningful line of stderr), for the report. */
  message: string;
}

export type KubeResult<T> = { ok: true; value: T } | { ok: false; error: KubeError };

/** Which cluster: a kubeconfig file (default: kubectl's own lookup) and optionally a context. */
export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
}

export interface KubectlOptions {
  /** Injected command runner (tests). */
  run?: CommandRunner;
  /** kubectl executable; default `kubectl` from PATH. */
  kubectl?: string;
  /** Per-request time limit passed to kubectl (`--request-timeout`). Default 10 s. */
  requestTimeoutSeconds?: number;
}

/** Maps kubectl's stderr to a kind of failure. Order matters: the most specific match wins. */
export function classifyKubectlError(stderr: string, timedOut: boolean): KubeError {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^(I|W)\d{4} /.test(l));
  const message = lines.find((l) => /error|unable|refused|forbidden|unauthorized|not found/i.test(l)) ?? lines[0] ?? "";
  const text = stderr.toLowerCase();
  let kind: KubeErrorKind = "other";
  if (timedOut || /i\/o timeout|context deadline exceeded|client\.timeout|tls handshake timeout/.test(text))
    kind = "timeout";
  else if (/context ".*" does not exist|context was not found|no context exists/.test(text)) kind = "context-missing";
  else if (/x509:|certificate/.test(text)) kind = "certificate";
  else if (/unauthorized|must be logged in|provide credentials/.test(text)) kind = "unauthorized";
  else if (/forbidden/.test(text)) kind = "forbidden";
  else if (
    /connection refused|no such host|unable to connect to the server|network is unreachable|no route to host|dial tcp|the connection to the server .* was refused/.test(
      text,
    )
  )
    kind = "unreachable";
  else if (
    /invalid configuration|no configuration has been provided|error loading config|couldn't get current server api group list: get "http:\/\/localhost:8080/.test(
      text,
    )
  )
    kind = "kubeconfig-invalid";
  else if (/notfound|not found|the server could not find the requested resource/.test(text)) kind = "not-found";
  return { kind, message: message || (timedOut ? "kubectl timed out" : "kubectl failed without a message") };
}

/** A small kubectl wrapper bound to one cluster. */
export class Kubectl {
  readonly target: KubeTarget;
  private readonly run: CommandRunner;
  private readonly exe: string;
  private readonly timeout: number;

  constructor(target: KubeTarget, options: KubectlOptions = {}) {
    this.target = target;
    this.run = options.run ?? runCommand;
    // The kubectl `cto doctor --fix` installed, else the one on PATH.
    this.exe = options.kubectl ?? installedTool("kubectl");
    this.timeout = options.requestTimeoutSeconds ?? 10;
  }

  /** The global flags selecting this cluster, e.g. for fix commands shown to the user. */
  flags(): string[] {
    const flags: string[] = [];
    if (this.target.kubeconfig) flags.push("--kubeconfig", this.target.kubeconfig);
    if (this.target.context) flags.push("--context", this.target.context);
    return flags;
  }

  /** `kubectl <flags> ...args` as a copy-pasteable command line (no secrets ever appear in it). */
  commandLine(args: string[]): string {
    return ["kubectl", ...this.flags(), ...args].map(shellQuote).join(" ");
  }

  /** Runs kubectl and returns stdout as text. */
  async text(args: string[]): Promise<KubeResult<string>> {
    const result = await this.run(this.exe, [...this.flags(), `--request-timeout=${this.timeout}s`, ...args], {
      timeoutMs: (this.timeout + 5) * 1000,
    });
    if (!result.found) {
      return { ok: false, error: { kind: "kubectl-missing", message: `${this.exe} not found on PATH` } };
    }
    if (result.code !== 0) return { ok: false, error: classifyKubectlError(result.stderr, result.timedOut) };
    return { ok: true, value: result.stdout };
  }

  /** Runs kubectl and parses stdout as JSON (add `-o json` yourself, or use `get --raw`). */
  async json<T>(args: string[]): Promise<KubeResult<T>> {
    const result = await this.text(args);
    if (!result.ok) return result;
    try {
      return { ok: true, value: JSON.parse(result.value) as T };
    } catch {
      return { ok: false, error: { kind: "other", message: `kubectl ${args.join(" ")} did not print JSON` } };
    }
  }
}

/** Quotes a word for a POSIX shell only when needed. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
