import { tokenManagementRevoke } from "@authlete/typescript-sdk/funcs/tokenManagementRevoke.js";
import type { TokenRevokeRequest } from "@authlete/typescript-sdk/models";
import { retried } from "./absorb.js";
import type { TokenWriterContext } from "./context.js";

/** A revocation's confirmed result: Authlete counted what it revoked. */
export type RevokeResult = "revoked" | "not_found" | "failed";

async function revokeCount(
  ctx: TokenWriterContext,
  request: TokenRevokeRequest,
): Promise<number | "failed" | null> {
  const done = await retried(ctx, () =>
    tokenManagementRevoke(ctx.authlete.core, {
      serviceId: ctx.authlete.serviceId,
      tokenRevokeRequest: request,
    }),
  );
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
