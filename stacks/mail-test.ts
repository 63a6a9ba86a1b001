/**
 * `cto doctor --mail-test ADDRESS`: one test mail through the SMTP server the controller is
 * configured with (`Plan.mail`), so a wrong host, port, TLS mode or password shows up before the
 * platform needs to send a notification.
 *
 * Sending goes through nodemailer (the SMTP dialogue, STARTTLS, implicit TLS and AUTH are its
 * work, not ours). Failures are classified into a sentence and a fix naming the cto.yaml key to
 * change. The password never appears in a result: any text taken from the server or the library
 * is scrubbed of it (and of its base64 forms, as sent in AUTH) before it is returned.
 */
import { createTransport } from "nodemailer";
import type { MailPlan } from "../profiles/plan.js";

export interface MailTestRequest {
  mail: MailPlan;
  /** `mail.smtp_password`, when the plan has one. */
  password?: string;
  to: string;
  subject: string;
  text: string;
  /** Per step (connect, greeting, each command). Default 15 s. */
  timeoutMs?: number;
}

export type MailFailureKind = "connect" | "timeout" | "tls" | "login" | "recipient" | "sender" | "other";

export type MailTestResult =
  | { ok: true; server: string; response: string; messageId: string }
  | { ok: false; server: string; kind: MailFailureKind; message: string; fix: string };

/** `host:port (tls)`, for messages. */
export function mailServer(mail: MailPlan): string {
  return `${mail.host}:${mail.port} (${mail.tls})`;
}

/** nodemailer's connection options for the plan's TLS mode. */
export function transportOptions(mail: MailPlan, password: string | undefined, timeoutMs: number) {
  return {
    host: mail.host,
    port: mail.port,
    // tls: TLS from the first byte; starttls: STARTTLS is required; none: never upgrade.
    secure: mail.tls === "tls",
    requireTLS: mail.tls === "starttls",
    ignoreTLS: mail.tls === "none",
    tls: { servername: mail.host },
    ...(password !== undefined ? { auth: { user: mail.username, pass: password } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}

/** Sends the test mail; never throws for an SMTP failure (returns it classified). */
export async function sendTestMail(request: MailTestRequest): Promise<MailTestResult> {
  const { mail, password } = request;
  const server = mailServer(mail);
  const transport = createTransport(transportOptions(mail, password, request.timeoutMs ?? 15_000));
  try {
    const info = await transport.sendMail({
      from: mail.from,
      to: request.to,
      subject: request.subject,
      text: request.text,
    });
    return {
      ok: true,
      server,
      response: scrub(String(info.response ?? ""), password),
      messageId: String(info.messageId ?? ""),
    };
  } catch (error) {
    return { ok: false, server, ...classifyMailError(error, mail, password) };
  } finally {
    transport.close();
  }
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
  message?: string;
}

/** A nodemailer error → what went wrong and which cto.yaml key fixes it, password scrubbed. */
export function classifyMailError(
  error: unknown,
  mail: MailPlan,
  password: string | undefined,
): { kind: MailFailureKind; message: string; fix: string } {
  const e = (typeof error === "object" && error !== null ? error : {}) as SmtpError;
  const said = scrub(String(e.message ?? error), password);
  const at = `${mail.host}:${mail.port}`;
  const text = said.toLowerCase();
  if (/econnrefused|enotfound|eai_again|ehostunreach|enetunreach/.test(text) || e.code === "EDNS") {
    const why = /enotfound|eai_again/.test(text)
      ? "the host name does not resolve"
      : "nothing accepts connections there";
    return {
      kind: "connect",
      message: `could not connect to ${at}: ${why} (${said})`,
      fix: "check mail.smtp_host and mail.smtp_port in cto.yaml (submission is usually 587 with starttls, 465 with tls)",
    };
  }
  if (e.code === "ETLS" || /starttls|wrong version number|ssl routines|tls|certificate|self[- ]signed/.test(text)) {
    const fix =
      mail.tls === "starttls"
        ? "the server did not agree to STARTTLS: if it speaks TLS from the first byte set mail.smtp_tls: tls (port 465); for a relay without TLS set mail.smtp_tls: none"
        : mail.tls === "tls"
          ? "the server does not speak TLS from the first byte on this port: set mail.smtp_tls: starttls (port 587), or fix mail.smtp_port"
          : "check mail.smtp_tls and mail.smtp_port in cto.yaml";
    return { kind: "tls", message: `TLS with ${at} failed: ${said}`, fix };
  }
  if (e.code === "ETIMEDOUT" || e.code === "ESOCKET" || /timeout|timed out|greeting never received/.test(text)) {
    return {
      kind: "timeout",
      message: `${at} did not answer as an SMTP server in time: ${said}`,
      fix: "check mail.smtp_port (is an SMTP server listening there?) and mail.smtp_tls (tls on 465, starttls on 587)",
    };
  }
  if (e.code === "EAUTH" || e.responseCode === 535 || e.responseCode === 534 || e.responseCode === 530) {
    return {
      kind: "login",
      message: `${at} refused the login of ${mail.username}: ${said}`,
      fix:
        password === undefined
          ? "the server wants a login: set mail.smtp_password in cto.yaml (e.g. smtp_password: ${SMTP_PASSWORD})"
          : "check mail.smtp_password and mail.smtp_username (the login; default: mail.from)",
    };
  }
  if (e.code === "EENVELOPE" && e.command === "MAIL FROM") {
    return {
      kind: "sender",
      message: `${at} refused the sender ${mail.from}: ${said}`,
      fix: "set mail.from to an address this account may send as",
    };
  }
  if (e.code === "EENVELOPE") {
    return {
      kind: "recipient",
      message: `${at} refused the recipient: ${said}`,
      fix: "check the address given to --mail-test; some servers only relay to their own domains",
    };
  }
  return {
    kind: "other",
    message: `${at}: ${said}`,
    fix: "check the mail: settings in cto.yaml",
  };
}

/** Removes the password, and the base64 forms an AUTH exchange carries, from a text. */
export function scrub(text: string, password: string | undefined): string {
  if (!password) return text;
  const forms = [password, Buffer.from(password).toString("base64")];
  let out = text;
  for (const form of forms) out = out.split(form).join("***");
  // AUTH PLAIN sends base64("\0user\0password"): drop any base64 run that decodes to the password.
  return out.replace(/[A-Za-z0-9+/]{8,}={0,2}/g, (run) =>
    Buffer.from(run, "base64").toString("utf8").includes(password) ? "***" : run,
  );
}
