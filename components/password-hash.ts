/**
 * bcrypt hashes for charts that take a password hash in their values (Argo CD's admin password).
 *
 * The salt is derived from the password itself (SHA-256, first 16 bytes) instead of drawn at
 * random, so the same password always gives the same hash: a random salt would change the chart
 * values on every run and make every preview show a spurious update. The password is a generated
 * 32-character secret, so a per-password salt loses nothing that matters here.
 */
import { createHash } from "node:crypto";
import { encodeBase64, hashSync } from "bcryptjs";

/** Cost factor (2^10 rounds), the value Argo CD's own CLI uses. */
export const BCRYPT_COST = 10;

/** A `$2a$` bcrypt hash of `password` with a salt derived from it. */
export function stableBcrypt(password: string): string {
  const saltBytes = createHash("sha256").update(password).digest().subarray(0, 16);
  const salt = `$2a$${String(BCRYPT_COST).padStart(2, "0")}$${encodeBase64(saltBytes, 16)}`;
  return hashSync(password, salt);
}
