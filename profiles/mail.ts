/**
 * The mail settings of a plan (`features.mail_notifications`): what the controller's
 * configuration says about the SMTP server. The TLS mode follows the port unless
 * `mail.smtp_tls` says otherwise; the login is the from-address unless `mail.smtp_username` is set.
 */
import type { CtoConfig } from "../config/schema.js";
import type { MailPlan, Plan, PlanSecrets } from "./plan.js";

/** The password's stack secret (and config path). */
export const SMTP_PASSWORD_SECRET = "mail.smtp_password";

type MailConfig = NonNullable<CtoConfig["mail"]> & { smtp_host: string; from: string };

/** `mail:` of cto.yaml (host and from-address present) → the plan's mail settings. */
export function mailPlan(mail: MailConfig, secrets: PlanSecrets): MailPlan {
  return {
    host: mail.smtp_host,
    port: mail.smtp_port,
    tls: mail.smtp_tls ?? (mail.smtp_port === 465 ? "tls" : "starttls"),
    from: mail.from,
    username: mail.smtp_username ?? mail.from,
    hasPassword: secrets[SMTP_PASSWORD_SECRET] !== undefined,
  };
}

/**
 * The plan with every secret the program has counted: a password stored with `cto secrets set
 * mail.smtp_password` (not in cto.yaml, so the resolved plan did not see it) is a configured
 * password, so the cto-smtp Secret is made and the controller's configuration references it.
 * `secrets`: what the program builds with (cto.yaml's and the stored ones).
 */
export function withStoredMailPassword(plan: Plan, secrets: PlanSecrets): Plan {
  if (!plan.mail || plan.mail.hasPassword || secrets[SMTP_PASSWORD_SECRET] === undefined) return plan;
  return {
    ...plan,
    mail: { ...plan.mail, hasPassword: true },
    secretNames: [...new Set([...plan.secretNames, SMTP_PASSWORD_SECRET])].sort(),
  };
}
