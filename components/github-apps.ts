/**
 * `GitHubApps` (`cto:github:GitHubApps`): the GitHub side of the platform.
 *
 * - Each agent's App has its own webhook secret: the one stored as `github.apps.<agent>.webhook_secret`
 *   (by `cto github apps create`: GitHub's own from the manifest conversion, or one cto generated;
 *   or by `cto secrets set`), else one generated once here (`GeneratedSecret`, kept in the stack
 *   state: an install whose Apps all signed with the old shared secret moves to per-App secrets on
 *   its next `cto up`). It is a Pulumi secret either way.
 * - One path for GitHub events (docs/github.md, "Webhooks"): each agent's GitHub App delivers its
 *   own events to `<webhook URL>/<agent>` (`agentWebhookUrl`). For every agent whose App
 *   credentials are stored, an `AppWebhookConfig` sets that URL and that App's webhook secret on
 *   GitHub (`PATCH /app/hook/config`), so an App created before there was a URL gets it on the next
 *   `cto up`. No organisation or repository webhook is created: it would deliver the same events
 *   a second time.
 * - The Kubernetes Secrets the platform reads: one Secret per agent's App (app id and client id
 *   from the plan; private key, client secret and webhook secret from stack secrets). The agent's
 *   EventSource endpoint verifies deliveries with that Secret's `webhook-secret`.
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

/** Stack secret holding an agent's App's own webhook secret. */
export function appWebhookSecretName(agent: string): string {
  return `github.apps.${agent}.webhook_secret`;
}

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
  /** Each agent's App webhook secret, by agent (secret outputs). */
  public readonly appWebhookSecrets: Record<string, pulumi.Output<string>>;
  /** Each agent's App webhook configuration on GitHub, by agent (Apps with stored credentials). */
  public readonly appWebhooks: Record<string, AppWebhookConfig>;
  /** Kubernetes Secrets by purpose ("github-app-<agent>"). */
  public readonly kubernetesSecrets: Record<string, k8s.core.v1.Secret>;
  /** Stack secret names that are not set yet, by purpose. */
  public readonly missingCredentials: Record<string, string[]>;

  constructor(name: string, args: GitHubAppsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("cto:github:GitHubApps", name, {}, opts);
    const { plan, rendered, secrets } = args;

    this.appWebhookSecrets = {};
    const known: Record<string, pulumi.Input<string>> = {};
    for (const agent of plan.agents) {
      const stored = secrets[appWebhookSecretName(agent.name)];
      const secret = pulumi.secret(
        stored !== undefined
          ? pulumi.output(stored)
          : new GeneratedSecret(`${name}-webhook-secret-${agent.name}`, { length: 40 }, { parent: this }).value,
      );
      this.appWebhookSecrets[agent.name] = secret;
      known[appWebhookSecretName(agent.name)] = secret;
      const app = plan.github.apps.find((a) => a.agent === agent.name);
      const appId = app?.appId ?? agent.githubAppId;
      if (appId) known[`github.apps.${agent.name}.id`] = appId;
      if (app?.clientId) known[`github.apps.${agent.name}.client_id`] = app.clientId;
    }

    this.kubernetesSecrets = {};
    this.missingCredentials = {};
    const purposes = Object.keys(rendered.secrets)
      .filter((purpose) => purpose.startsWith("github-app-"))
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
        {
          apiUrl: plan.github.baseUrl,
          appId,
          privateKey,
          url,
          secret: this.appWebhookSecrets[agent.name] as pulumi.Output<string>,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ appWebhookSecrets: this.appWebhookSecrets, missingCredentials: this.missingCredentials });
  }
}
