/**
 * The GitHub repository the current directory's git remote points at, so `cto init` run inside a
 * checkout defaults the organisation and repository to it. Remotes on other hosts, no git, or no
 * repository at all give no default (the prompt then asks, and Enter says what is needed).
 */
import { spawnSync } from "node:child_process";
import { githubLogin, githubRepository } from "../../config/schema.js";
import type { GitRemoteDefault } from "./questions.js";

/** Remotes looked at first, in this order; after them any other remote on GitHub, by name. */
const PREFERRED_REMOTES = ["origin", "upstream"];

/**
 * `git@github.com:acme/platform.git`, `https://github.com/acme/platform`, `ssh://git@github.com/acme/platform.git`,
 * `ssh://git@ssh.github.com:443/acme/platform.git` → acme / platform; anything not on github.com → undefined.
 */
export function parseGitHubUrl(url: string): { organization: string; repository: string } | undefined {
  const trimmed = url.trim();
  const scp = /^(?:[^@/\s]+@)?(?:www\.)?github\.com:\/?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(trimmed);
  const full =
    /^(?:https?|ssh|git):\/\/(?:[^@/\s]+@)?(?:www\.|ssh\.)?github\.com(?::\d+)?\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(
      trimmed,
    );
  const m = scp ?? full;
  if (!m) return undefined;
  const [organization = "", repository = ""] = [m[1], m[2]];
  if (!githubLogin.safeParse(organization).success || !githubRepository.safeParse(repository).success) return undefined;
  return { organization, repository };
}

/** Every remote's fetch URL in the repository at `cwd` (none when git or the repository is missing). */
function remoteUrls(cwd: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const r = spawnSync("git", ["config", "--get-regexp", "^remote\\..*\\.url$"], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 5000,
    maxBuffer: 256 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const urls = new Map<string, string>();
  if (r.status !== 0 || typeof r.stdout !== "string") return urls;
  for (const line of r.stdout.split("\n")) {
    const m = /^remote\.(.+)\.url\s+(\S+)$/.exec(line.trim());
    if (m?.[1] && m[2] && !urls.has(m[1])) urls.set(m[1], m[2]);
  }
  return urls;
}

/** The GitHub repository of `origin` (else `upstream`, else the first GitHub remote by name) at `cwd`. */
export function gitHubRemote(cwd: string, env: NodeJS.ProcessEnv = process.env): GitRemoteDefault | undefined {
  const urls = remoteUrls(cwd, env);
  const names = [
    ...PREFERRED_REMOTES.filter((n) => urls.has(n)),
    ...[...urls.keys()].filter((n) => !PREFERRED_REMOTES.includes(n)).sort(),
  ];
  for (const remote of names) {
    const parsed = parseGitHubUrl(urls.get(remote) ?? "");
    if (parsed) return { ...parsed, remote };
  }
  return undefined;
}
