/**
 * Reading what we need out of kubeconfig text (never from a file: the caller passes the content).
 */
import { parse } from "yaml";

interface KubeconfigDocument {
  "current-context"?: string;
  contexts?: { name?: string; context?: { cluster?: string } }[];
  clusters?: { name?: string; cluster?: { server?: string } }[];
}

/**
 * The API server URL of a context (the current one when `context` is not given); undefined when
 * the kubeconfig does not say.
 */
export function kubeconfigEndpoint(kubeconfig: string, context?: string): string | undefined {
  let doc: KubeconfigDocument;
  try {
    doc = (parse(kubeconfig) ?? {}) as KubeconfigDocument;
  } catch {
    return undefined;
  }
  const contextName = context ?? doc["current-context"];
  let cluster: { cluster?: { server?: string } } | undefined;
  if (contextName) {
    const clusterName = doc.contexts?.find((c) => c.name === contextName)?.context?.cluster;
    cluster = clusterName ? doc.clusters?.find((c) => c.name === clusterName) : undefined;
  } else if (doc.clusters?.length === 1) {
    // No context named anywhere: a kubeconfig with one cluster can only mean that one.
    cluster = doc.clusters[0];
  }
  return cluster?.cluster?.server;
}

/**
 * k3s writes its kubeconfig for `https://127.0.0.1:6443`; a kubeconfig fetched from a remote
 * server must point at that server's address instead.
 */
export function pointKubeconfigAt(kubeconfig: string, host: string): string {
  const address = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return kubeconfig.replace(/https:\/\/(127\.0\.0\.1|localhost|\[::1\]):6443/g, `https://${address}:6443`);
}
