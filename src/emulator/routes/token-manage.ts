import { findClient, isObject, result, type Reply, type RouteContext } from "../context.js";
import type { StoredToken } from "../types.js";

/** Identifiers in delete/revoke/update match the token value or its hash. */
function byIdentifier(ctx: RouteContext, id: string, kind: "access" | "refresh"): StoredToken | undefined {
  const find = (h: string) => (kind === "access" ? ctx.store.byAccessHash(h) : ctx.store.byRefreshHash(h));
  const token = find(id) ?? find(ctx.hash(id));
  return token && token.serviceId === ctx.service.serviceId ? token : undefined;
}

/** DELETE /api/{serviceId}/auth/token/delete/{accessTokenIdentifier} */
export function deleteToken(ctx: RouteContext, identifier: string): Reply {
  const token = byIdentifier(ctx, identifier, "access");
  if (!token) return { status: 404, body: result("A131301", "No such access token.") };
  ctx.store.deleteByAccessHash(token.accessHash);
  return { status: 204 };
}

/** POST /api/{serviceId}/auth/token/revoke — access identifier, else refresh identifier, else client + subject. */
export function revokeTokens(ctx: RouteContext, body: unknown): Reply {
  const b = isObject(body) ? body : {};
  let count = 0;
  if (typeof b.accessTokenIdentifier === "string") {
    const token = byIdentifier(ctx, b.accessTokenIdentifier, "access");
    if (token) count = Number(ctx.store.deleteByAccessHash(token.accessHash));
  } else if (typeof b.refreshTokenIdentifier === "string") {
    const token = byIdentifier(ctx, b.refreshTokenIdentifier, "refresh");
    if (token) count = Number(ctx.store.deleteByAccessHash(token.accessHash));
  } else if (b.clientIdentifier !== undefined) {
    const client = findClient(ctx, b.clientIdentifier);
    const subject = typeof b.subject === "string" ? b.subject : null;
    if (client) count = ctx.store.deleteWhere(ctx.service.serviceId, client.clientId, subject);
  } else {
    return { status: 400, body: result("A312201", "No token identifier, client identifier or subject.") };
  }
  return { status: 200, body: { ...result("A312001", `Revoked ${count} token(s).`), count } };
}

/** POST /api/{serviceId}/auth/token/update */
export function updateToken(ctx: RouteContext, body: unknown): Reply {
  const b = isObject(body) ? body : {};
  const identifier =
    typeof b.accessToken === "string"
      ? b.accessToken
      : typeof b.accessTokenHash === "string"
        ? b.accessTokenHash
        : "";
  if (!identifier) {
    return {
      status: 400,
      body: { ...result("A135201", "The access token is missing."), action: "BAD_REQUEST" },
    };
  }
  const token = byIdentifier(ctx, identifier, "access");
  if (!token)
    return { status: 200, body: { ...result("A135301", "No such access token."), action: "NOT_FOUND" } };
  const past = [b.accessTokenExpiresAt, b.refreshTokenExpiresAt].some(
    (at) => typeof at === "number" && at > 0 && at <= ctx.now(),
  );
  if (past && ctx.seed.behaviour.pastExpiryOnUpdate === "refuse") {
    return {
      status: 400,
      body: { ...result("A135202", "The expiry is in the past."), action: "BAD_REQUEST" },
    };
  }
  // Absolute expiries in ms; 0 or negative leaves the value unchanged.
  if (typeof b.accessTokenExpiresAt === "number" && b.accessTokenExpiresAt > 0)
    token.accessExpiresAt = b.accessTokenExpiresAt;
  if (
    typeof b.refreshTokenExpiresAt === "number" &&
    b.refreshTokenExpiresAt > 0 &&
    token.refreshHash !== null
  )
    token.refreshExpiresAt = b.refreshTokenExpiresAt;
  if (Array.isArray(b.scopes)) token.scopes = (b.scopes as unknown[]).map(String);
  if (Array.isArray(b.properties)) {
    token.properties = (b.properties as unknown[])
      .filter(isObject)
      .map((p) => ({ key: String(p.key), value: String(p.value ?? ""), hidden: p.hidden === true }));
  }
  ctx.store.update(token);
  return {
    status: 200,
    body: {
      ...result("A135001", "The access token was updated successfully."),
      action: "OK",
      accessTokenExpiresAt: token.accessExpiresAt ?? 0,
      scopes: token.scopes,
      properties: token.properties,
      tokenType: "Bearer",
      tokenId: token.tokenId,
      refreshTokenExpiresAt: token.refreshExpiresAt ?? 0,
    },
  };
}

const pageLimit = 20;

/** GET /api/{serviceId}/auth/token/get/list — at most 20 a page, hashes only. */
export function listTokens(ctx: RouteContext, query: URLSearchParams): Reply {
  const clientParam = query.get("clientIdentifier");
  const client = clientParam === null ? undefined : findClient(ctx, clientParam);
  if (clientParam !== null && !client) {
    return { status: 400, body: result("A198201", `No such client: ${clientParam}`) };
  }
  const subject = query.get("subject");
  const start = Math.max(0, Number(query.get("start") ?? 0) || 0);
  const requestedEnd = Number(query.get("end") ?? start + pageLimit) || start + pageLimit;
  const end = Math.min(Math.max(start, requestedEnd), start + pageLimit);
  const all = ctx.store.list(ctx.service.serviceId, client?.clientId ?? null, subject);
  const page = all.slice(start, end).map((t) => ({
    accessTokenHash: t.accessHash,
    accessTokenExpiresAt: t.accessExpiresAt ?? 0,
    ...(t.refreshHash === null
      ? {}
      : { refreshTokenHash: t.refreshHash, refreshTokenExpiresAt: t.refreshExpiresAt ?? 0 }),
    createdAt: t.createdAt,
    clientId: t.clientId,
    ...(t.subject === null ? {} : { subject: t.subject }),
    grantType: t.grantType,
    scopes: t.scopes,
    properties: t.properties,
  }));
  return {
    status: 200,
    body: {
      start,
      end: start + page.length,
      totalCount: all.length,
      ...(client ? { client: { clientId: client.clientId, clientName: `client ${client.clientId}` } } : {}),
      ...(subject === null ? {} : { subject }),
      accessTokens: page,
    },
  };
}
