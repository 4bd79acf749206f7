import { randomUUID } from "node:crypto";
import {
  defaultDuration,
  findClient,
  generateTokenValue,
  isObject,
  linkedExpiry,
  result,
  type Reply,
  type RouteContext,
} from "../context.js";
import { isRefreshable } from "./introspection.js";

function failure(action: "BAD_REQUEST" | "INVALID_CLIENT", code: string, error: string, text: string): Reply {
  const r = result(code, text);
  return {
    status: 200,
    body: { ...r, action, responseContent: JSON.stringify({ error, error_description: r.resultMessage }) },
  };
}

/** POST /api/{serviceId}/auth/token — only the refresh_token grant, which is all a migration needs. */
export function processTokenRequest(ctx: RouteContext, body: unknown): Reply {
  if (!isObject(body) || typeof body.parameters !== "string") {
    return failure("BAD_REQUEST", "A053201", "invalid_request", "The parameters are missing.");
  }
  const params = new URLSearchParams(body.parameters);
  if (params.get("grant_type") !== "refresh_token") {
    return failure("BAD_REQUEST", "A053202", "unsupported_grant_type", "Only refresh_token is emulated.");
  }
  const client = findClient(ctx, body.clientId ?? params.get("client_id"));
  const secret = body.clientSecret ?? params.get("client_secret");
  if (!client || (secret !== undefined && secret !== null && secret !== client.clientSecret)) {
    return failure("INVALID_CLIENT", "A053301", "invalid_client", "Client authentication failed.");
  }
  const refreshValue = params.get("refresh_token");
  if (!refreshValue) return failure("BAD_REQUEST", "A053203", "invalid_request", "refresh_token is missing.");
  const old = ctx.store.byRefreshHash(ctx.hash(refreshValue));
  const now = ctx.now();
  if (!old || old.serviceId !== ctx.service.serviceId || !isRefreshable(old, now)) {
    return failure(
      "BAD_REQUEST",
      "A053204",
      "invalid_grant",
      "The refresh token does not exist or has expired.",
    );
  }
  if (old.clientId !== client.clientId) {
    return failure("BAD_REQUEST", "A053205", "invalid_grant", "The refresh token belongs to another client.");
  }

  const kept = ctx.service.refreshTokenKept;
  const accessValue = generateTokenValue();
  const newRefresh = kept ? refreshValue : generateTokenValue();
  const accessSeconds = defaultDuration(ctx, client, old.scopes, "accessTokenDuration");
  const refreshSeconds = defaultDuration(ctx, client, old.scopes, "refreshTokenDuration");
  // The refreshed chain's lifetime: a kept token keeps its expiry unless the service resets it, and
  // a new one inherits the remaining lifetime with refreshTokenDurationKept.
  const { refreshTokenDurationKept: durationKept, refreshTokenDurationReset: reset } = ctx.service;
  const refreshExpiresAt =
    (kept && !reset) || durationKept ? old.refreshExpiresAt : now + refreshSeconds * 1000;
  const token = {
    ...old,
    accessHash: ctx.hash(accessValue),
    refreshHash: ctx.hash(newRefresh),
    accessExpiresAt: linkedExpiry(ctx, now + accessSeconds * 1000, refreshExpiresAt),
    refreshExpiresAt,
    tokenId: randomUUID(),
  };
  // Refreshing invalidates the coupled access token (and the old refresh token unless kept).
  ctx.store.deleteByAccessHash(old.accessHash);
  ctx.store.insert(token, false);
  const expiresIn = accessSeconds;
  const responseContent = JSON.stringify({
    access_token: accessValue,
    token_type: "Bearer",
    expires_in: expiresIn,
    refresh_token: newRefresh,
    scope: token.scopes.join(" "),
  });
  return {
    status: 200,
    body: {
      ...result("A053001", "The token request was processed successfully."),
      action: "OK",
      responseContent,
      accessToken: accessValue,
      accessTokenExpiresAt: token.accessExpiresAt,
      accessTokenDuration: accessSeconds,
      refreshToken: newRefresh,
      refreshTokenExpiresAt: token.refreshExpiresAt ?? 0,
      refreshTokenDuration: refreshSeconds,
      grantType: "REFRESH_TOKEN",
      clientId: token.clientId,
      ...(token.subject === null ? {} : { subject: token.subject }),
      scopes: token.scopes,
      properties: token.properties,
    },
  };
}
