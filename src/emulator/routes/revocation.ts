import { findClient, isObject, result, type Reply, type RouteContext } from "../context.js";

/**
 * POST /api/{serviceId}/auth/revocation — RFC 7009 as Authlete takes it: `parameters` holds the caller's
 * form (`token`, `token_type_hint`), `clientId` / `clientSecret` the client that authenticated. OK whether
 * the token was revoked or unknown (RFC 7009 §2.2); a token of another client is left alone.
 */
export function revokeByClient(ctx: RouteContext, body: unknown): Reply {
  const params =
    isObject(body) && typeof body.parameters === "string" ? new URLSearchParams(body.parameters) : undefined;
  const value = params?.get("token");
  if (!params || !value) {
    const r = result("A113201", "The request does not contain a token.");
    return {
      status: 200,
      body: { ...r, action: "BAD_REQUEST", responseContent: JSON.stringify({ error: "invalid_request" }) },
    };
  }
  const client = isObject(body) ? findClient(ctx, body.clientId ?? params.get("client_id")) : undefined;
  const secret = isObject(body) ? (body.clientSecret ?? params.get("client_secret")) : undefined;
  if (!client || (secret !== undefined && secret !== null && secret !== client.clientSecret)) {
    const r = result("A113301", "Client authentication failed.");
    return {
      status: 200,
      body: { ...r, action: "INVALID_CLIENT", responseContent: JSON.stringify({ error: "invalid_client" }) },
    };
  }
  const hash = ctx.hash(value);
  const token = ctx.store.byAccessHash(hash) ?? ctx.store.byRefreshHash(hash);
  if (token && token.clientId === client.clientId) ctx.store.deleteByAccessHash(token.accessHash);
  return {
    status: 200,
    body: {
      ...result("A113001", "The token was revoked (or was not valid)."),
      action: "OK",
      responseContent: "",
    },
  };
}

/**
 * DELETE /api/{serviceId}/client/authorization/delete/{clientId}/{subject} — every token the client holds
 * for the subject is deleted (Authlete's "delete client authorization"); the answer's code is the emulator's.
 */
export function deleteAuthorization(ctx: RouteContext, clientIdentifier: string, subject: string): Reply {
  const client = findClient(ctx, clientIdentifier);
  if (!client) return { status: 404, body: result("A240401", "The client does not exist.") };
  ctx.store.deleteWhere(ctx.service.serviceId, client.clientId, subject);
  return { status: 200, body: result("A240001", "The authorization was deleted.") };
}
