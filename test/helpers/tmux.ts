/**
 * A real pseudo-terminal for CLI tests: runs a command inside a detached tmux session on a private
 * socket, types into it, and reads the screen. tmux comes from Debian's packages (npm test installs
 * it); `tmuxAvailable()` lets a suite say clearly when it is missing instead of passing silently.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function tmuxAvailable(): boolean {
  return spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface TmuxStart {
  /** Program and arguments, run directly (no shell quoting needed). */
  command: string[];
  cwd: string;
  /** The whole environment of the program (the tmux server is started with it). */
  env: NodeJS.ProcessEnv;
  /** Directory for the launcher script and the exit-code file. */
  scratch: string;
  width?: number;
  height?: number;
}

export class TmuxSession {
  private constructor(
    private readonly socket: string,
    private readonly rcFile: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts the program in a new tmux server (one per session, on its own socket). */
  static start(options: TmuxStart): TmuxSession {
    const socket = `cto-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    const rcFile = join(options.scratch, `${socket}.rc`);
    const script = join(options.scratch, `${socket}.sh`);
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    // The pane stays open after the program exits (sleep) so its last screen can still be read.
    writeFileSync(
      script,
      [
        `cd ${quote(options.cwd)}`,
        options.command.map(quote).join(" "),
        `echo $? > ${quote(rcFile)}`,
        "exec sleep 600",
        "",
      ].join("\n"),
    );
    const session = new TmuxSession(socket, rcFile, options.env);
    session.tmux([
      "new-session",
      "-d",
      "-s",
      "cto",
      "-x",
      String(options.width ?? 100),
      "-y",
      String(options.height ?? 40),
      "sh",
      script,
    ]);
    return session;
  }

  private tmux(args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.socket, "-f", "/dev/null", ...args], { encoding: "utf8", env: this.env });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux(["send-keys", "-t", "cto", "-l", text]);
  }

  /** Presses keys by tmux name: Enter, Down, Up, Space, BSpace, C-c, C-u, Escape. */
  press(...keys: string[]): void {
    this.tmux(["send-keys", "-t", "cto", ...keys]);
  }

  /** The visible screen. */
  screen(): string {
    return this.tmux(["capture-pane", "-p", "-t", "cto"]);
  }

  /** Waits until the screen matches; the error shows the screen it last saw. */
  async waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = this.screen();
      if (typeof pattern === "string" ? last.includes(pattern) : pattern.test(last)) return last;
      await sleep(50);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)}; screen:\n${last}`);
  }

  /** Waits for the program to exit and returns its exit code. */
  async exitCode(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (existsSync(this.rcFile)) {
        const text = readFileSync(this.rcFile, "utf8").trim();
        if (text !== "") return Number(text);
      }
      await sleep(50);
    }
    throw new Error(`the program did not exit within ${timeoutMs} ms; screen:\n${this.screen()}`);
  }

  /** Stops this session's tmux server (and with it the program, if still running). */
  kill(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"], { env: this.env });
  }
}
