/** `~` in a path the user wrote (cto.yaml, KUBECONFIG, a file:// backend), expanded as a shell would. */
import path from "node:path";

/** `~` → `home`, `~/x` → `home/x`; anything else (including `~user/x`) is returned unchanged. */
export function expandHome(p: string, home: string): string {
  return p === "~" ? home : p.startsWith("~/") ? path.join(home, p.slice(2)) : p;
}
