/**
 * The agents a new installation of each profile starts with (what `cto init` enables, and what
 * the requirements `cto profiles` states are computed for); anything else starts with rex.
 */
export const DEFAULT_AGENTS: Readonly<Record<string, readonly string[]>> = {
  minimal: ["rex"],
  standard: ["rex", "cleo", "tess"],
  production: ["morgan", "rex", "cleo", "tess", "cipher"],
};

export function defaultAgents(profile: string): string[] {
  return [...(DEFAULT_AGENTS[profile] ?? ["rex"])];
}
