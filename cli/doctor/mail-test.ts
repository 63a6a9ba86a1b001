/**
 * `cto doctor --mail-test ADDRESS`: sends one test mail through the environment's SMTP server
 * (the settings the controller gets) and reports the outcome. Only the mail check runs.
 * Exit 0 sent, 1 the server could not be reached or refused it, 2 bad address or mail not set up.
 */
import { z } from "zod";
import { UserError } from "../../config/errors.js";
import { SMTP_PASSWORD_SECRET } from "../../profiles/mail.js";
import { mailServer, sendTestMail } from "../../stacks/mail-test.js";
import { readStoredSecret } from "../../stacks/secrets-store.js";
import type { CommandIO } from "../context.js";
import { loadPlan } from "../plan.js";
import type { DoctorCommandOptions } from "../commands/doctor.js";

/** `cto doctor --mail-test`'s flags: cto doctor's, typed from cli/commands/doctor.ts. */
export type MailTestOptions = DoctorCommandOptions;

const address = z.string().email();

export async function runMailTest(
  to: string,
  options: MailTestOptions,
  io: CommandIO & { progress?: (text: string) => void },
): Promise<number> {
  if (options.fix) {
    throw new UserError("--mail-test and --fix do not go together: --mail-test runs only the mail check", {
      hint: "run cto doctor --fix and cto doctor --mail-test ADDRESS one after the other",
    });
  }
  if (!address.safeParse(to).success) {
    throw new UserError(`--mail-test ${JSON.stringify(to)} is not an email address`, {
      hint: "e.g. cto doctor --mail-test you@acme.example",
    });
  }
  const { plan, secrets, context } = await loadPlan(options, io);
  if (!plan.mail) {
    throw new UserError(`mail notifications are off in environment ${plan.environment}: there is no server to test`, {
      hint: "in cto.yaml set features.mail_notifications: true and mail.smtp_host, mail.from (and mail.smtp_password if the server wants a login)",
    });
  }
  // cto.yaml's password wins; else the one `cto secrets set mail.smtp_password` stored, which the
  // controller gets too (profiles/mail.ts withStoredMailPassword).
  const password = secrets[SMTP_PASSWORD_SECRET] ?? (await readStoredSecret(plan, SMTP_PASSWORD_SECRET, { context }));
  const { mail } = plan;
  io.progress?.(`Sending a test mail to ${to} through ${mailServer(mail)} as ${mail.from}…`);
  const result = await sendTestMail({
    mail,
    password,
    to,
    subject: `cto: test mail from ${plan.platform.name}/${plan.environment}`,
    text:
      `This is a test mail sent by cto doctor --mail-test for ${plan.platform.name}/${plan.environment}.\n` +
      `The platform's notifications go out through ${mailServer(mail)} as ${mail.from}.\n`,
  });
  if (options.json) {
    io.print(
      JSON.stringify({ mailTest: { to, login: password !== undefined ? mail.username : null, ...result } }, null, 2),
    );
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    io.print(`✓ Test mail to ${to} accepted by ${result.server}: ${result.response}`);
    return 0;
  }
  throw new UserError(`test mail not sent: ${result.message}`, { hint: result.fix, exitCode: 1 });
}
