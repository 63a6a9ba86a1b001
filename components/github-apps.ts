/**
 * `GitHubApps` (`cto:github:GitHubApps`): the GitHub side of the platform.
 *
 * - The webhook secret: the configured `github.webhook_secret`, or one generated once
 *   (`GeneratedSecret`, kept in the stack) when none is given. It is a Pulumi secret either way.
 * - The webhook, through `@pulumi/github`, at the platform's webhook URL: an organisation webhook
 *   (`github.webhook_mode: organization`) or a webhook on `github.repository` (`repository`),
 *   subscribed to the events the agents' Apps use. Without a webhook URL (no domain, no tunnel
 *   URL), or with `manageWebhook: false`, no webhook is created. The GitHub provider is explicit, bound to the configured owner
 *   and API base URL (GitHub Enterprise Server works the same); its token is the stack secret
 *   `github.token` when given, else the provider's own `GITHUB_TOKEN`.
 * - The Kubernetes Secrets the platform reads: the webhook secret and one Secret per agent's App
 *   (app id and client id from the plan, private key and client secret from stack secrets).
 *   Keys whose value is not known yet (an App not created yet) are left out and listed in
 *   `missingCredentials`; `cto github apps create` stores them and the next `cto up` adds them.
 *
 * GitHub Apps themselves are created through the manifest flow by the CLI (a browser step), not
 * here: GitHub has no API that creates an App without a user confirming it.
 */
import * as github from "@pulumi/github";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import type { RenderedValues } from "../templates/rendered.js";
import { GeneratedSecret } from "./generated-secret.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";

/** Stack secret holding the webhook secret. */
export const WEBHOOK_SECRET_NAME = "github.webhook_secret";
/** Stack secret holding a GitHub token for the webhook API, when not taken from `GITHUB_TOKEN`. */
export const GITHUB_TOKEN_SECRET_NAME = "github.token";

/** Events subscribed when the Apps' manifests list none. */
export const DEFAULT_WEBHOOK_EVENTS = ["issue_comment", "issues", "pull_request", "pull_request_review", "push"];

/** The events the platform's webhook subscribes to: the union of the Apps' events, sorted. */
export function webhookEvents(rendered: RenderedValues): string[] {
  const events = new Set<string>();
  for (const manifest of Object.values(rendered.githubAppManifests)) {
    for (const event of manifest.default_events) events.add(event);
  }
  return events.size > 0 ? [...events].sort() : [...DEFAULT_WEBHOOK_EVENTS];
}

export interface GitHubAppsArgs {
  plan: Plan;
  rendered: RenderedValues;
  secrets: PlanSecrets;
  provider: k8s.Provider;
  base: PlatformBase;
  /**
   * Manage the webhook on GitHub. Turn off where the GitHub provider plugin is not available
   * (offline installs, the simulated demo) or GitHub is not reachable; the Kubernetes Secrets
   * are delivered either way.
   * @default true
   */
  manageWebhook?: boolean;
}

export class GitHubApps extends pulumi.ComponentResource {
  /** The webhook secret (secret output). */
  public readonly webhookSecret: pulumi.Output<string>;
  /** The webhook, when the plan has a webhook URL. */
  public readonly webhook: github.OrganizationWebhook | github.RepositoryWebhook | undefined;
  /** Kubernetes Secrets by purpose ("github-webhook", "github-app-<agent>"). */
  public readonly kubernetesSecrets: Record<string, k8s.core.v1.Secret>;
  /** Stack secret names that are not set yet, by purpose. */
  public readonly missingCredentials: Record<string, string[]>;

  constructor(name: string, args: GitHubAppsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:github:GitHubApps", name, {}, opts);
    const { plan, rendered, secrets } = args;

    const configured = secrets[WEBHOOK_SECRET_NAME];
    this.webhookSecret = pulumi.secret(
      configured !== undefined
        ? pulumi.output(configured)
        : new GeneratedSecret(`${name}-webhook-secret`, { length: 40 }, { parent: this }).value,
    );

    const known: Record<string, pulumi.Input<string>> = { [WEBHOOK_SECRET_NAME]: this.webhookSecret };
    for (const agent of plan.agents) {
      const app = plan.github.apps.find((a) => a.agent === agent.name);
      const appId = app?.appId ?? agent.githubAppId;
      if (appId) known[`github.apps.${agent.name}.id`] = appId;
      if (app?.clientId) known[`github.apps.${agent.name}.client_id`] = app.clientId;
    }

    this.kubernetesSecrets = {};
    this.missingCredentials = {};
    const purposes = Object.keys(rendered.secrets)
      .filter((purpose) => purpose === "github-webhook" || purpose.startsWith("github-app-"))
      .sort();
    for (const purpose of purposes) {
      const spec = rendered.secrets[purpose];
      if (!spec) continue;
      const { values, missing } = resolveSecretKeys(purpose, spec, secrets, known);
      if (missing.length > 0) this.missingCredentials[purpose] = missing;
      this.kubernetesSecrets[purpose] = createPlatformSecret(`${name}-${purpose}`, {
        plan,
        spec,
        values,
        provider: args.provider,
        parent: this,
        dependsOn: [args.base.namespace(spec.namespace)],
        component: "github",
      });
    }

    const url = plan.github.webhookUrl;
    if (url && args.manageWebhook === false) {
      pulumi.log.info(`the GitHub webhook for ${url} is not managed by this stack (webhooks turned off)`, this);
    } else if (url) {
      const githubProvider = new github.Provider(
        `${name}-github`,
        {
          owner: plan.github.organization,
          baseUrl: plan.github.baseUrl,
          ...(secrets[GITHUB_TOKEN_SECRET_NAME] !== undefined
            ? { token: pulumi.secret(secrets[GITHUB_TOKEN_SECRET_NAME]) }
            : {}),
        },
        { parent: this },
      );
      const configuration = { url, contentType: "json", insecureSsl: false, secret: this.webhookSecret };
      const events = webhookEvents(rendered);
      this.webhook =
        plan.github.webhookMode === "organization"
          ? new github.OrganizationWebhook(
              `${name}-org-webhook`,
              { active: true, configuration, events },
              { parent: this, provider: githubProvider },
            )
          : new github.RepositoryWebhook(
              `${name}-repo-webhook`,
              { repository: plan.github.repository, active: true, configuration, events },
              { parent: this, provider: githubProvider },
            );
    }
    this.registerOutputs({ webhookSecret: this.webhookSecret, missingCredentials: this.missingCredentials });
  }
}
