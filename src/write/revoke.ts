import type { TokenRevokeRequest } from "@authlete/typescript-sdk/models";
import { retried } from "./absorb.js";
import type { TokenWriterContext } from "./context.js";
import type { EndRefreshResult, RevokeResult } from "./types.js";

/** A revocation's confirmed result: Authlete counted what it revoked. */

async function revokeCount(
  ctx: TokenWriterContext,
  request: TokenRevokeRequest,
): Promise<number | "failed" | null> {
  const done = await retried(ctx, () => ctx.calls.call("revoke", request));
  if (done === null) return null;
  return done.ok ? (done.value.count ?? 0) : "failed";
}

/**
 * Revokes a migrated token and counts only what Authlete confirms (its `count`). By the access token
 * first; when that one is gone (refreshed at Authlete, swept) by the refresh token, which with
 * `refreshTokenKept` still holds the live chain. Neither found is `not_found`, never a revocation: a
 * rotated successor may still be live.
 */
export async function revokeConfirmed(
  ctx: TokenWriterContext,
  accessIdentifier: string,
  refreshIdentifier: string | null,
): Promise<RevokeResult | null> {
  const byAccess = await revokeCount(ctx, { accessTokenIdentifier: accessIdentifier });
  if (byAccess === null || byAccess === "failed") return byAccess;
  if (byAccess > 0) return "revoked";
  if (refreshIdentifier === null) return "not_found";
  const byRefresh = await revokeCount(ctx, { refreshTokenIdentifier: refreshIdentifier });
  if (byRefresh === null || byRefresh === "failed") return byRefresh;
  return byRefresh > 0 ? "revoked" : "not_found";
}

/** One token of a pair ended: set to expire (checked), else the whole token revoked, or neither found. */

/**
 * Ends one token of a migrated pair while the other lives on (as at the source): the refresh token (the
 * source no longer pairs it) or the access token (the source revoked it alone). Sets its expiry to
 * Authlete's earliest possible "now" with /auth/token/update and checks the answer holds it. When
 * Authlete does not confirm that (an update it refuses, an answer without the expiry), the whole token is
 * revoked: a token ends early, never late.
 */
export async function endOneConfirmed(
  ctx: TokenWriterContext,
  part: "access" | "refresh",
  accessHash: string,
  refreshHash: string | null,
): Promise<EndRefreshResult | null> {
  const endAt = ctx.clock.earliestNow(ctx.options.maxClockSkewMs) - 1000;
  const field = part === "access" ? "accessTokenExpiresAt" : "refreshTokenExpiresAt";
  // Authlete takes the hash where the value goes (confirmed for update, delete and revoke).
  const done = await retried(ctx, () =>
    ctx.calls.call("update", { accessToken: accessHash, [field]: endAt }),
  );
  if (done === null) return null;
  const held = done.ok && done.value.action === "OK" ? (done.value[field] ?? 0) : 0;
  if (held > 0 && held <= endAt) return "ended";
  return revokeConfirmed(ctx, accessHash, refreshHash);
}
