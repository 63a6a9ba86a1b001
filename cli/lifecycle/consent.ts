/**
 * Confirmation: with a terminal, cto asks; without one (or with CI=true) it never prompts, so
 * commands that change the cluster require `--yes`, and destroying a production environment also
 * requires `--confirm <env>` (the name a user would type).
 */
import { UserError } from "../../config/errors.js";
import type { DestroyOptions } from "../commands/destroy.js";
import type { RollbackOptions } from "../commands/rollback.js";
import type { UpOptions } from "../commands/up.js";
import type { UpgradeOptions } from "../commands/upgrade.js";
import type { LifecycleIO } from "./session.js";

/** What `requireConsent` reads: `--yes`, which every command calling it declares (else a compile error here). */
export type ConsentFlags = Pick<UpOptions | UpgradeOptions | RollbackOptions | DestroyOptions, "yes">;

/** Refuse early (before anything runs) when a change would need a confirmation nobody can give. */
export function requireConsent(options: ConsentFlags, io: LifecycleIO, what: string): void {
  if (options.yes || io.interactive) return;
  throw new UserError(`${what} changes the cluster and there is no terminal to confirm on`, {
    hint: `add --yes to confirm in advance (cto never prompts without a terminal or with CI=true)`,
  });
}

export async function confirm(message: string): Promise<boolean> {
  const p = await import("@clack/prompts");
  const answer = await p.confirm({ message, initialValue: false, output: process.stderr });
  return !p.isCancel(answer) && answer === true;
}

export async function typeName(expected: string): Promise<boolean> {
  const p = await import("@clack/prompts");
  const answer = await p.text({
    message: `This is a production environment. Type its name (${expected}) to destroy it`,
    output: process.stderr,
  });
  return !p.isCancel(answer) && answer === expected;
}

/** A user's "no": exit 0 with the sentence the house style asks for. */
export function cancelled(io: LifecycleIO): number {
  io.err("Operation cancelled.");
  return 0;
}
