/**
 * The GitHub App manifest flow (docs.github.com: "Registering a GitHub App from a manifest"):
 *
 * 1. A one-shot HTTP server on 127.0.0.1 (a free port) serves a page whose form POSTs the manifest
 *    to the owner's new-app page with a random `state`; the manifest's `redirect_url` points back
 *    at this server's `/callback`.
 * 2. After the user confirms on GitHub, GitHub redirects the browser to `/callback?code=…&state=…`.
 *    A callback with a missing or different `state` is refused (400) and the flow keeps waiting:
 *    it did not come from the page this run served.
 * 3. The code is exchanged through `POST /app-manifests/{code}/conversions` for the app's id,
 *    slug, client id and secret, webhook secret and private key. GitHub requires the three steps
 *    to complete within one hour; an expired or reused code gets a 404. The code is single-use,
 *    so the exchange is never retried: after a lost answer (timeout, network error, 5xx) the App
 *    may exist with its key in an answer cto never got; the message says how to recover it.
 *
 * Nothing secret is printed: the code only appears in the callback URL, and messages show the
 * conversion path as `/app-manifests/<code>/conversions`.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { UserError } from "../../config/errors.js";
import type { GitHubAppManifest } from "../../templates/rendered.js";
import { GitHubApi, GitHubHttpError, GitHubNoAnswerError } from "./api.js";
import { appSettingsUrl, newAppUrl, slugFromName, type AppOwner } from "./urls.js";

/** What `POST /app-manifests/{code}/conversions` returns (the fields cto keeps). */
export interface ManifestConversion {
  id: number;
  slug: string;
  name: string;
  client_id: string;
  client_secret: string;
  webhook_secret: string | null;
  pem: string;
  html_url: string;
  owner?: { login: string; type?: string };
}

export interface ManifestFlowOptions {
  api: GitHubApi;
  /** Web address of GitHub (https://github.com or the Enterprise Server). */
  webUrl: string;
  owner: AppOwner;
  /** The rendered manifest; `redirect_url` is set here. */
  manifest: GitHubAppManifest;
  /** The agent the App is for (named in recovery instructions). */
  agent?: string;
  /** Shows the local URL to open (and is told when a callback was refused). */
  say: (message: string) => void;
  /** Opens a URL in a browser; resolves false when it could not. */
  openBrowser?: (url: string) => Promise<boolean>;
  /** How long to wait for the callback. Default 60 minutes (GitHub's limit for the whole flow). */
  timeoutMs?: number;
  /** Fixed local port; default a free one. */
  port?: number;
  signal?: AbortSignal;
}

const STATE_BYTES = 32;
export const FLOW_TIMEOUT_MS = 60 * 60 * 1000;

/** Runs the flow for one app and returns its credentials. */
export async function runManifestFlow(options: ManifestFlowOptions): Promise<ManifestConversion> {
  const state = randomBytes(STATE_BYTES).toString("base64url");
  const appName = options.manifest.name;
  let settle: { resolve: (c: ManifestConversion) => void; reject: (e: unknown) => void } | undefined;
  const done = new Promise<ManifestConversion>((resolve, reject) => (settle = { resolve, reject }));
  // It may settle before it is awaited (a callback during openBrowser): not an unhandled rejection.
  done.catch(() => undefined);
  let finished = false;
  let redirectUrl = "";
  let port = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) page(res, 500, "Something went wrong", "Return to your terminal for details.");
      finish(err);
    });
  });

  const finish = (result: ManifestConversion | unknown, ok = false): void => {
    if (finished) return;
    finished = true;
    server.close();
    server.closeAllConnections();
    if (ok) settle?.resolve(result as ManifestConversion);
    else settle?.reject(result);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // Only pages addressed to this server by loopback name: a web page that rebinds its own
    // hostname to 127.0.0.1 (DNS rebinding) could otherwise read the state from the form.
    const host = (req.headers.host ?? "").toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      page(res, 421, "Refused", "This server only answers requests for 127.0.0.1.");
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      const manifest = manifestToPost(options.manifest, redirectUrl);
      const action = newAppUrl(options.webUrl, options.owner, state);
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(formPage(appName, action, JSON.stringify(manifest)));
      return;
    }
    if (req.method === "GET" && url.pathname === "/callback") {
      const got = url.searchParams.get("state");
      if (got === null || !sameState(got, state)) {
        options.say(
          `refused a callback for ${appName} with ${got === null ? "no" : "a wrong"} state (it did not come from the page this run served); still waiting`,
        );
        page(res, 400, "Refused", "This link does not belong to the running cto command (state mismatch).");
        return;
      }
      const code = url.searchParams.get("code");
      if (!code) {
        page(res, 400, "No code", "GitHub did not send a code. Return to your terminal.");
        return;
      }
      try {
        const app = await convert(options, code);
        const ownerLogin = app.owner?.login ?? "";
        if (ownerLogin.toLowerCase() !== options.owner.login.toLowerCase()) {
          page(res, 409, "Wrong owner", "The app GitHub returned does not belong to the expected account.");
          finish(
            new UserError(
              `GitHub returned app ${app.slug} owned by ${ownerLogin || "an unknown account"}, not ${options.owner.login}; its credentials were not stored`,
              {
                hint: `create the app from the page cto opens, under ${options.owner.login}; delete ${app.slug} if you do not know it`,
                exitCode: 1,
              },
            ),
          );
          return;
        }
        page(res, 200, `Created ${app.name}`, "The app is registered. You can close this tab and return to cto.");
        finish(app, true);
      } catch (err) {
        page(res, 502, "Could not finish", "cto could not exchange the code with GitHub. Return to your terminal.");
        finish(err);
      }
      return;
    }
    page(res, 404, "Not found", "");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  }).catch((err: unknown) => {
    throw new UserError(`cannot listen on 127.0.0.1:${options.port ?? 0} for the GitHub callback: ${String(err)}`, {
      hint: "free the port or omit --port",
      exitCode: 1,
    });
  });
  port = (server.address() as AddressInfo).port;
  const local = `http://127.0.0.1:${port}/`;
  redirectUrl = `http://127.0.0.1:${port}/callback`;

  const timeoutMs = options.timeoutMs ?? FLOW_TIMEOUT_MS;
  const timer = setTimeout(
    () =>
      finish(
        new UserError(`no answer from GitHub for ${appName} within ${Math.round(timeoutMs / 60000)} minutes`, {
          hint: `open ${local} in a browser and confirm "Create GitHub App", then run the command again`,
          exitCode: 1,
        }),
      ),
    timeoutMs,
  );
  const onAbort = (): void => finish(new UserError("cancelled", { exitCode: 130 }));
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const opened = options.openBrowser ? await options.openBrowser(local) : false;
  options.say(
    opened
      ? `${appName}: opened ${local} in your browser; confirm "Create GitHub App" on GitHub`
      : `${appName}: open ${local} in a browser and confirm "Create GitHub App" on GitHub`,
  );
  try {
    return await done;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Exchanges the code, once. A 404 means it expired or was used already; no answer at all means
 * the App may have been created without cto receiving its key.
 */
async function convert(options: ManifestFlowOptions, code: string): Promise<ManifestConversion> {
  const name = options.manifest.name;
  const settings = appSettingsUrl(options.webUrl, options.owner, slugFromName(name));
  const agent = options.agent ?? "AGENT";
  const recover = [
    `open ${settings}: if the App is there, generate a private key on that page (Private keys → Generate a private key), then run`,
    `cto github apps create --agents ${agent} --rotate-keys --key-file ${agent}=PATH-OF-THE-DOWNLOADED-KEY`,
    `(cto checks the key with GitHub and stores the App); if the App is not there, run cto github apps create again`,
  ].join("\n     ");
  try {
    return await options.api.request<ManifestConversion>(
      "POST",
      `/app-manifests/${encodeURIComponent(code)}/conversions`,
      { display: "/app-manifests/<code>/conversions", retry: false },
    );
  } catch (err) {
    if (err instanceof GitHubNoAnswerError) {
      throw new UserError(
        `no answer from GitHub to POST /app-manifests/<code>/conversions for ${name} (${err.reason}); the code works only once, so cto does not send it again, and GitHub may have created the App with a key cto never received`,
        { hint: recover, exitCode: 1, cause: err },
      );
    }
    if (err instanceof GitHubHttpError && err.status === 404) {
      throw new UserError(
        `GitHub did not accept the code for ${name} (404 from POST /app-manifests/<code>/conversions): it expired (a code is valid for one hour after the app is created) or was already used`,
        { hint: recover, exitCode: 1, cause: err },
      );
    }
    throw err;
  }
}

/**
 * The manifest as posted: with our callback as `redirect_url`, and without `hook_attributes` when
 * there is no webhook URL yet (GitHub's form requires a URL whenever the attribute is present).
 */
export function manifestToPost(manifest: GitHubAppManifest, redirectUrl: string): Record<string, unknown> {
  const { hook_attributes, ...rest } = manifest;
  return hook_attributes.url === ""
    ? { ...rest, redirect_url: redirectUrl }
    : { ...rest, hook_attributes, redirect_url: redirectUrl };
}

function sameState(got: string, expected: string): boolean {
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`,
  );
}

/** The page that sends the manifest to GitHub (a form POST is what GitHub's flow expects). */
function formPage(appName: string, action: string, manifestJson: string): string {
  return [
    "<!doctype html>",
    '<meta charset="utf-8">',
    `<title>Create ${escapeHtml(appName)}</title>`,
    `<h1>Create the GitHub App ${escapeHtml(appName)}</h1>`,
    `<form id="manifest" method="post" action="${escapeHtml(action)}">`,
    `<input type="hidden" name="manifest" value="${escapeHtml(manifestJson)}">`,
    '<button type="submit">Continue to GitHub</button>',
    "</form>",
    '<script>document.getElementById("manifest").submit()</script>',
  ].join("\n");
}
