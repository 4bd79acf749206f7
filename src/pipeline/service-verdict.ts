import type { MapResult } from "../map/index.js";
import type { ServiceRowRules } from "./service-check.js";

/**
 * A mapped row as the service would take it: a payload the service check shows Authlete would refuse
 * (a client it does not hold, a grant type the client does not allow, a scope it does not support) is
 * rejected before it is sent, with why, so a dry run counts what the live run will do.
 */
export function serviceVerdict(result: MapResult, rules: ServiceRowRules | undefined): MapResult {
  if (!rules || result.kind !== "payload") return result;
  const { clientId, grantType, scopes = [] } = result.request;
  const keys = { key: result.key, refreshHash: result.refreshHash, probeToken: result.probeToken };
  const refuse = (
    reason: "client_not_in_service" | "grant_type_not_allowed" | "scope_not_supported",
    what: string,
  ) =>
    ({
      kind: "rejected",
      reason,
      detail: `Authlete would refuse it: ${what} (the service check)`,
      ...keys,
    }) as const;
  if (rules.missingClients.includes(clientId))
    return refuse("client_not_in_service", `client ${clientId} does not exist in the service`);
  if (rules.disallowedGrantTypes[clientId]?.includes(grantType))
    return refuse("grant_type_not_allowed", `client ${clientId} does not allow ${grantType}`);
  const unsupported = scopes.filter((s) => rules.unsupportedScopes.includes(s));
  if (unsupported.length > 0)
    return refuse(
      "scope_not_supported",
      `scope(s) ${unsupported.map((s) => JSON.stringify(s)).join(", ")} not supported by the service`,
    );
  return result;
}
