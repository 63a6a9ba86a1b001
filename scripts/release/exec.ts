/** Runs a tool for the release build and fails with its output when it fails. */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";

/** Runs `command args…` and returns its stdout; throws with stderr when it exits non-zero. */
export function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${String(result.stdout ?? "")}${String(result.stderr ?? "")}`.trim();
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}:\n${output}`);
  }
  return String(result.stdout ?? "");
}

/** True when `command` can be started (found on PATH). */
export function hasCommand(command: string): boolean {
  const result = spawnSync(command, ["--version"], { stdio: "ignore" });
  return !result.error;
}
