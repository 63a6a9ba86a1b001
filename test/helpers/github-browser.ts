/**
 * Runs the built `cto` like a person at the browser: every local page cto announces on stderr
 * (`open http://127.0.0.1:PORT/`) is opened and its App confirmed on the fake GitHub
 * (`actAsBrowser`). Used by the cli and e2e tests of `cto github apps create`.
 */
import { spawn } from "node:child_process";
import { actAsBrowser } from "../fakes/github-server.js";
import { CTO_BIN, type CtoResult } from "./cli.js";

export function runWithBrowser(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CtoResult & { browsed: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CTO_BIN, ...args], { cwd: options.cwd, env: options.env });
    let stdout = "";
    let stderr = "";
    let browsed = 0;
    const seen = new Set<string>();
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      for (const m of stderr.matchAll(/open (http:\/\/127\.0\.0\.1:\d+\/)/g)) {
        const url = m[1] as string;
        if (seen.has(url)) continue;
        seen.add(url);
        browsed++;
        actAsBrowser(url).catch((err: unknown) => (stderr += `\n[test browser] ${String(err)}\n`));
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, browsed });
    });
    child.stdin.end();
  });
}
