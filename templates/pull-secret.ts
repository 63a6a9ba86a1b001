/**
 * The registry pull secret (`kubernetes.io/dockerconfigjson`), built here once for both paths, so
 * `cto up` and `cto render` agree on where each part comes from: the registry host and
 * `registry.username` from cto.yaml, the password from the stack secret `registry.password`.
 *
 * - `dockerConfigJson`: the document `cto up` writes into the Secret (components/registry.ts).
 * - `dockerConfigTemplate`: the same document as an External Secrets Operator template (engine
 *   v2: Go templates with Sprig), which `cto render --format manifests` puts in the ExternalSecret,
 *   so the secret store holds only the password (property `password`), as the stack does.
 */

/** The `host[:port]` part of a registry address that may carry a repository path. */
export function registryHost(url: string): string {
  return url.split("/")[0] ?? url;
}

/** The `.dockerconfigjson` document for one registry. */
export function dockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

/** The property of the secret store's entry that holds the registry password. */
export const REGISTRY_PASSWORD_PROPERTY = "password";

/**
 * The External Secrets Operator template of `.dockerconfigjson`: `dockerConfigJson(server,
 * username, <the fetched password>)`. Server and username are Go string literals (a JSON string is
 * one), so no character in them can change the template.
 */
export function dockerConfigTemplate(server: string, username: string): string {
  const host = JSON.stringify(server);
  const user = JSON.stringify(username);
  const password = `.${REGISTRY_PASSWORD_PROPERTY}`;
  return (
    `{{ dict "auths" (dict ${host} (dict "username" ${user} "password" ${password}` +
    ` "auth" (printf "%s:%s" ${user} ${password} | b64enc))) | toJson }}`
  );
}
