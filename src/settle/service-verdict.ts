import type { MapResult } from "../map/index.js";
import { printable } from "../shared/text.js";
import type { ServiceRowRules } from "../preflight/index.js";

/** The service check's row rules, as sets: looked up once per row. */
export interface ServiceVerdicts {
  missingClients: ReadonlySet<number>;
  disallowedGrantTypes: ReadonlyMap<number, ReadonlySet<string>>;
  unsupportedScopes: ReadonlySet<string>;
}

/** The rules a run looks up per row, built once; undefined when there are none to apply. */
export function serviceVerdicts(rules: ServiceRowRules | undefined): ServiceVerdicts | undefined {
  if (!rules) return undefined;
  const grants = Object.entries(rules.disallowedGrantTypes).map(
    ([id, g]) => [Number(id), new Set(g)] as const,
  );
  if (rules.missingClients.length + grants.length + rules.unsupportedScopes.length === 0) return undefined;
  return {
    missingClients: new Set(rules.missingClients),
    disallowedGrantTypes: new Map(grants),
    unsupportedScopes: new Set(rules.unsupportedScopes),
  };
}

/**
 * A mapped row as the service would take it: a payload the service check shows Authlete would refuse
 * (a client it does not hold, a grant type the client does not allow, a scope it does not support) is
 * rejected before it is sent, with why, so a dry run counts what the live run will do.
 */
export function serviceVerdict(result: MapResult, rules: ServiceVerdicts | undefined): MapResult {
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
  if (rules.missingClients.has(clientId))
    return refuse("client_not_in_service", `client ${clientId} does not exist in the service`);
  if (rules.disallowedGrantTypes.get(clientId)?.has(grantType))
    return refuse("grant_type_not_allowed", `client ${clientId} does not allow ${grantType}`);
  const unsupported = scopes.filter((s) => rules.unsupportedScopes.has(s));
  if (unsupported.length > 0)
    return refuse(
      "scope_not_supported",
      // Scopes come from the dump: bounded, however many and long they are.
      `scope(s) ${printable(unsupported.map((s) => JSON.stringify(s)).join(", "), 200)} not supported by the service`,
    );
  return result;
}
