import { result, type Reply, type RouteContext } from "./context.js";
import { getClient, getService, listClients } from "./routes/configuration.js";
import { introspect } from "./routes/introspection.js";
import { createToken } from "./routes/token-create.js";
import { deleteToken, listTokens, revokeTokens, updateToken } from "./routes/token-manage.js";
import { processTokenRequest } from "./routes/token-refresh.js";

/** Dispatches one authenticated call under /api/{serviceId}/ to its handler. */
export function routeApiCall(
  ctx: RouteContext,
  method: string,
  route: string,
  body: unknown,
  query: URLSearchParams,
): Reply {
  const key = `${method} ${route}`;
  switch (key) {
    case "POST auth/token/create":
      return createToken(ctx, body);
    case "POST auth/introspection":
      return introspect(ctx, body);
    case "POST auth/token":
      return processTokenRequest(ctx, body);
    case "POST auth/token/revoke":
      return revokeTokens(ctx, body);
    case "POST auth/token/update":
      return updateToken(ctx, body);
    case "GET auth/token/get/list":
      return listTokens(ctx, query);
    case "GET service/get":
      return getService(ctx);
  }
  const deleteMatch = /^DELETE auth\/token\/delete\/(.+)$/.exec(key);
  if (deleteMatch?.[1]) return deleteToken(ctx, decodeURIComponent(deleteMatch[1]));
  if (key === "GET client/get/list") return listClients(ctx, query);
  const clientMatch = /^GET client\/get\/(.+)$/.exec(key);
  if (clientMatch?.[1]) return getClient(ctx, decodeURIComponent(clientMatch[1]));
  return { status: 404, body: result("A000404", `Unknown route: ${key}`) };
}
