/**
 * The smallest valid cto.yaml of the tests' example organisation: profile minimal, one agent
 * (rex), no environments block. `tail` is appended as written (features, mail, …).
 */
export function acmeConfigYaml(options: { provider?: string; tail?: string } = {}): string {
  return `version: "0.1.0"
profile: minimal
platform:
  name: acme-platform
github:
  organization: acme
  repository: platform
cluster:
  provider: ${options.provider ?? "kind"}
agents:
  rex:
    enabled: true
${options.tail ?? ""}`;
}
