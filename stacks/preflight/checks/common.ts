/** Small helpers shared by the check files. */
import type { Plan } from "../../../profiles/plan.js";
import type { CheckContext, CheckOutcome } from "../types.js";

export const ok = (reason: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: "ok",
  reason,
  details,
});
export const skip = (reason: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: "skip",
  reason,
  details,
});
export const fail = (reason: string, fix: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: "fail",
  reason,
  fix,
  details,
});
export const warn = (reason: string, fix: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: "warn",
  reason,
  fix,
  details,
});

/** k3s on hosts reachable over SSH (as opposed to k3s on this machine). */
export function isRemoteK3s(plan: Plan): boolean {
  return plan.cluster.provider === "k3s" && plan.cluster.nodes.length > 0;
}

/** The cluster runs on this machine: k3s without SSH nodes, kind, minikube, simulated. */
export function isLocalCluster(plan: Plan): boolean {
  const p = plan.cluster.provider;
  return p === "kind" || p === "minikube" || p === "simulated" || (p === "k3s" && !isRemoteK3s(plan));
}

/**
 * Runs `fn` once per report and shares the result between checks (e.g. one `kubectl get nodes`
 * for the capacity and version checks).
 */
const memos = new WeakMap<CheckContext, Map<string, Promise<unknown>>>();
export function memo<T>(ctx: CheckContext, key: string, fn: () => Promise<T>): Promise<T> {
  let map = memos.get(ctx);
  if (!map) {
    map = new Map();
    memos.set(ctx, map);
  }
  let value = map.get(key) as Promise<T> | undefined;
  if (!value) {
    value = fn();
    map.set(key, value);
  }
  return value;
}

/** First non-empty line of a command's output, trimmed, for a one-line reason. */
export function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}
