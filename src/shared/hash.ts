import { createHmac, hash } from "node:crypto";

/** Authlete's (inferred) token hash: base64url(SHA-256(utf8(value))), 43 characters, no padding. */
export function tokenHash(value: string): string {
  // crypto.hash: one call, about twice the rate of createHash().update().digest() for short inputs.
  return hash("sha256", value, "base64url");
}

/**
 * The access token sent with a refresh-only row, whose legacy access token has expired and must not be
 * revived. Derived from the refresh token so a crashed run finds the same value again and can tell,
 * by introspecting it, whether its create landed. Sent with a 1-second lifetime.
 */
export function probeTokenFor(refreshToken: string): string {
  return createHmac("sha256", refreshToken)
    .update("authlete-migrate/refresh-only-probe/v1")
    .digest("base64url");
}
