import { isObject, result, type Reply, type RouteContext } from "../context.js";

/**
 * POST /api/{serviceId}/auth/introspection/standard — RFC 7662 as Authlete answers it for an authorization
 * server's own endpoint: `parameters` holds the form; OK carries the RFC 7662 JSON in `responseContent`.
 * An unknown token and an expired one both answer `active: false` (AUTHLETE-API.md).
 */
export function introspectStandard(ctx: RouteContext, body: unknown): Reply {
  const params =
    isObject(body) && typeof body.parameters === "string" ? new URLSearchParams(body.parameters) : undefined;
  const value = params?.get("token");
  if (!value) {
    const r = result("A145201", "The request does not contain a token.");
    return {
      status: 200,
      body: { ...r, action: "BAD_REQUEST", responseContent: '{"error":"invalid_request"}' },
    };
  }
  const hash = ctx.hash(value);
  const now = ctx.now();
  const byRefresh = params!.get("token_type_hint") === "refresh_token";
  const token = byRefresh
    ? (ctx.store.byRefreshHash(hash) ?? ctx.store.byAccessHash(hash))
    : (ctx.store.byAccessHash(hash) ?? ctx.store.byRefreshHash(hash));
  const isRefresh = token !== undefined && token.refreshHash === hash;
  const expiresAt = isRefresh ? token.refreshExpiresAt : token?.accessExpiresAt;
  const active = token !== undefined && (expiresAt === null || expiresAt! > now);
  const content = active
    ? {
        active: true,
        client_id: String(token.clientId),
        ...(token.subject === null ? {} : { sub: token.subject }),
        scope: token.scopes.join(" "),
        ...(expiresAt === null ? {} : { exp: Math.floor(expiresAt! / 1000) }),
        token_type: isRefresh ? "refresh_token" : "Bearer",
      }
    : { active: false };
  const type = isRefresh ? "refresh_token" : "access_token";
  const r = result("A145001", `Introspection was performed successfully (type=${type}, active=${active}).`);
  return { status: 200, body: { ...r, action: "OK", responseContent: JSON.stringify(content) } };
}
