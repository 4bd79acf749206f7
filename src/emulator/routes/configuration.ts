import { findClient, result, type Reply, type RouteContext } from "../context.js";

/** GET /api/{serviceId}/client/get/{clientId} — by numeric id or alias. */
export function getClient(ctx: RouteContext, identifier: string): Reply {
  const client = findClient(ctx, identifier);
  if (!client) return { status: 404, body: result("A022301", `No such client: ${identifier}`) };
  return { status: 200, body: clientBody(ctx, client) };
}

/** GET /api/{serviceId}/client/get/list?start&end: the service's clients, a page at a time. */
export function listClients(ctx: RouteContext, query: URLSearchParams): Reply {
  const mine = ctx.seed.clients.filter((c) => c.serviceId === ctx.service.serviceId);
  const start = Math.max(0, Number(query.get("start") ?? 0) || 0);
  const end = Math.min(mine.length, Number(query.get("end") ?? start + 5) || start + 5);
  return {
    status: 200,
    body: {
      start,
      end,
      totalCount: mine.length,
      clients: mine.slice(start, end).map((c) => clientBody(ctx, c)),
    },
  };
}

function clientBody(ctx: RouteContext, client: NonNullable<ReturnType<typeof findClient>>) {
  return {
    clientId: client.clientId,
    ...(client.clientIdAlias ? { clientIdAlias: client.clientIdAlias, clientIdAliasEnabled: true } : {}),
    serviceNumber: Number(ctx.service.serviceId) || 0,
    clientName: `client ${client.clientId}`,
    grantTypes: client.grantTypes,
    ...(client.extension ? { extension: client.extension } : {}),
    singleAccessTokenPerSubject: client.singleAccessTokenPerSubject === true,
  };
}

/** GET /api/{serviceId}/service/get */
export function getService(ctx: RouteContext): Reply {
  const s = ctx.service;
  return {
    status: 200,
    body: {
      apiKey: Number(s.serviceId) || 0,
      serviceName: s.serviceName,
      supportedGrantTypes: s.supportedGrantTypes,
      supportedScopes: s.supportedScopes.map((name) => ({ name, attributes: scopeAttributes(ctx, name) })),
      accessTokenDuration: s.accessTokenDuration,
      refreshTokenDuration: s.refreshTokenDuration,
      refreshTokenKept: s.refreshTokenKept,
      refreshTokenDurationKept: s.refreshTokenDurationKept === true,
      refreshTokenDurationReset: s.refreshTokenDurationReset === true,
      tokenExpirationLinked: s.tokenExpirationLinked === true,
      singleAccessTokenPerSubject: s.singleAccessTokenPerSubject === true,
    },
  };
}

/** A scope's duration attributes, as Authlete lists them (`access_token.duration`, `refresh_token.duration`). */
function scopeAttributes(ctx: RouteContext, scope: string): { key: string; value: string }[] {
  const d = ctx.service.scopeDurations?.[scope];
  const attributes: { key: string; value: string }[] = [];
  if (d?.accessTokenDuration)
    attributes.push({ key: "access_token.duration", value: String(d.accessTokenDuration) });
  if (d?.refreshTokenDuration)
    attributes.push({ key: "refresh_token.duration", value: String(d.refreshTokenDuration) });
  return attributes;
}
