/**
 * Opens a local URL in the user's browser (`open` on macOS, `xdg-open` elsewhere, `start` on
 * Windows). Only cto's own 127.0.0.1 page is ever opened this way: its URL holds no secret.
 */
import { spawn } from "node:child_process";

/** Resolves true when a browser was launched; false when there is no way to (CI, SSH, no opener). */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.CI || env.CTO_NO_BROWSER) return Promise.resolve(false);
  const [cmd, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ["xdg-open", [url]]
          : [undefined, []];
  if (!cmd) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
