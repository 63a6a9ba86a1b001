/**
 * `GitHubApps` (`cto:github:GitHubApps`): the GitHub side of the platform.
 *
 * - The webhook secret: the configured `github.webhook_secret` (cto.yaml, or stored by `cto github
 *   apps create`), or one generated once (`GeneratedSecret`, kept in the stack) when none is given.
 *   It is a Pulumi secret either way, and it is the one secret every agent's App signs with.
 * - One path for GitHub events (docs/github.md, "Webhooks"): each agent's GitHub App delivers its
 *   own events to `<webhook URL>/<agent>` (`agentWebhookUrl`). For every agent whose App
 *   credentials are stored, an `AppWebhookConfig` sets that URL and the webhook secret on GitHub
 *   (`PATCH /app/hook/config`), so an App created before there was a URL gets it on the next
 *   `cto up`. No organisation or repository webhook is created: it would deliver the same events
 *   a second time.
 * - The Kubernetes Secrets the platform reads: the webhook secret and one Secret per agent's App
 *   (app id and client id from the plan, private key and client secret from stack secrets).
 *   Keys whose value is not known yet (an App not created yet) are left out and listed in
 *   `missingCredentials`; `cto github apps create` stores them and the next `cto up` adds them.
 *
 * GitHub Apps themselves are created through the manifest flow by the CLI (a browser step), not
 * here: GitHub has no API that creates an App without a user confirming it.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSecrets } from "../profiles/plan.js";
import { agentWebhookUrl } from "../profiles/webhooks.js";
import type { RenderedValues } from "../templates/rendered.js";
import { AppWebhookConfig } from "./app-webhook.js";
import { GeneratedSecret } from "./generated-secret.js";
import type { PlatformBase } from "./platform-base.js";
import { createPlatformSecret, resolveSecretKeys } from "./platform-secret.js";

/** Stack secret holding the webhook secret. */
export const WEBHOOK_SECRET_NAME = "github.webhook_secret";

export interface GitHubAppsArgs {
  plan: Plan;
  rendered: RenderedValues;
  secrets: PlanSecrets;
  provider: k8s.Provider;
  base: PlatformBase;
  /**
   * Set each App's webhook URL and secret on GitHub. Turn off where GitHub is not reachable
   * (offline installs); the Kubernetes Secrets are delivered either way.
   * @default true
   */
  manageWebhook?: boolean;
}

export class GitHubApps extends pulumi.ComponentResource {
  /** The webhook secret (secret output). */
  public readonly webhookSecret: pulumi.Output<string>;
  /** Each agent's App webhook configuration on GitHub, by agent (Apps with stored credentials). */
  public readonly appWebhooks: Record<string, AppWebhookConfig>;
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

    this.appWebhooks = {};
    if (plan.github.webhookUrl !== undefined && args.manageWebhook === false) {
      pulumi.log.info("the GitHub Apps' webhook URLs are not set by this stack (turned off)", this);
    }
    for (const agent of plan.agents) {
      const url = agentWebhookUrl(plan, agent.name);
      const appId = secrets[`github.apps.${agent.name}.id`] ?? known[`github.apps.${agent.name}.id`];
      const privateKey = secrets[`github.apps.${agent.name}.private_key`];
      if (url === undefined || appId === undefined || privateKey === undefined || args.manageWebhook === false)
        continue;
      this.appWebhooks[agent.name] = new AppWebhookConfig(
        `${name}-app-webhook-${agent.name}`,
        { apiUrl: plan.github.baseUrl, appId, privateKey, url, secret: this.webhookSecret },
        { parent: this },
      );
    }
    this.registerOutputs({ webhookSecret: this.webhookSecret, missingCredentials: this.missingCredentials });
  }
}
