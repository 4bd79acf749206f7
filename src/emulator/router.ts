import { result, type Reply, type RouteContext } from "./context.js";
import { getClient, getService, listClients } from "./routes/configuration.js";
import { introspect } from "./routes/introspection.js";
import { introspectStandard } from "./routes/introspection-standard.js";
import { createToken } from "./routes/token-create.js";
import { deleteToken, listTokens, revokeTokens, updateToken } from "./routes/token-manage.js";
import { processTokenRequest } from "./routes/token-refresh.js";
import { deleteAuthorization, revokeByClient } from "./routes/revocation.js";

type Route = (ctx: RouteContext, body: unknown, query: URLSearchParams) => Reply;

/** The fixed routes, by method and path under /api/{serviceId}/. */
const routes: Record<string, Route> = {
  "POST auth/token/create": createToken,
  "POST auth/introspection": introspect,
  "POST auth/introspection/standard": introspectStandard,
  "POST auth/token": processTokenRequest,
  "POST auth/token/revoke": revokeTokens,
  "POST auth/token/update": updateToken,
  "POST auth/revocation": revokeByClient,
  "GET auth/token/get/list": (ctx, _body, query) => listTokens(ctx, query),
  "GET client/get/list": (ctx, _body, query) => listClients(ctx, query),
  "GET service/get": (ctx) => getService(ctx),
};

/** Dispatches one authenticated call under /api/{serviceId}/ to its handler. */
export function routeApiCall(
  ctx: RouteContext,
  method: string,
  route: string,
  body: unknown,
  query: URLSearchParams,
): Reply {
  const key = `${method} ${route}`;
  if (Object.hasOwn(routes, key)) return routes[key]!(ctx, body, query);
  // Routes that end with an identifier.
  const deleteMatch = /^DELETE auth\/token\/delete\/(.+)$/.exec(key);
  if (deleteMatch?.[1]) return deleteToken(ctx, decodeURIComponent(deleteMatch[1]));
  const authorization = /^DELETE client\/authorization\/delete\/([^/]+)\/([^/]+)$/.exec(key);
  if (authorization)
    return deleteAuthorization(
      ctx,
      decodeURIComponent(authorization[1]!),
      decodeURIComponent(authorization[2]!),
    );
  const clientMatch = /^GET client\/get\/(.+)$/.exec(key);
  if (clientMatch?.[1]) return getClient(ctx, decodeURIComponent(clientMatch[1]));
  return { status: 404, body: result("A000404", `Unknown route: ${key}`) };
}
