/**
 * The JSON Web Token a GitHub App authenticates itself with (RS256, signed with its private key).
 * GitHub accepts at most ten minutes of validity; the issue time is set 60 s in the past to allow
 * for clock drift, as GitHub's documentation recommends.
 */
import { createPrivateKey, createSign } from "node:crypto";
import { UserError } from "../../config/errors.js";

const b64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

/** A JWT for `GET /app`, `/app/installations` and `/app/hook/*`, valid for nine minutes. */
export function appJwt(appId: string, privateKeyPem: string, nowMs: number = Date.now()): string {
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    // Never include the key (or a piece of it) in the message.
    throw new UserError(`the stored private key of GitHub App ${appId} is not a valid PEM private key`, {
      hint: "rotate it: cto github apps create --rotate-keys",
      cause: err instanceof Error ? new Error(err.message.replace(/-----BEGIN[\s\S]*/, "")) : undefined,
    });
  }
  const now = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ iat: now - 60, exp: now + 9 * 60, iss: appId }));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(signature)}`;
}
