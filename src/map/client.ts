import { fieldValue, isAbsent } from "./fields.js";
import { authleteGrantTypes, type CreatableGrantType, type Mapping, type ReasonCode } from "./types.js";

export type ClientResolution =
  | { clientId: number; grantType: CreatableGrantType }
  | { reason: ReasonCode; detail: string; column?: string; legacyClient?: string };

/** The Authlete client and grant type of a row: column value, then the client's grant type, then the default. */
export function resolveClient(fields: Record<string, unknown>, mapping: Mapping): ClientResolution {
  const column = mapping.columns.clientId;
  if (!column) return { reason: "client_missing", detail: "the mapping has no clientId column" };
  const value = fieldValue(fields, column);
  if (isAbsent(value) || value === "")
    return { reason: "client_missing", detail: `${column} is empty`, column };
  const legacy = String(value);
  let clientId: number;
  let clientGrant: CreatableGrantType | undefined;
  if (mapping.clients) {
    const target = mapping.clients.get(legacy);
    if (!target) {
      return {
        reason: "client_unknown",
        detail: `legacy client ${JSON.stringify(legacy)} is not in the client map`,
        column,
        legacyClient: legacy,
      };
    }
    clientId = target.clientId;
    clientGrant = target.grantType;
  } else {
    if (!/^[1-9]\d{0,15}$/.test(legacy) || !Number.isSafeInteger(Number(legacy))) {
      return {
        reason: "client_unknown",
        detail: `${JSON.stringify(legacy)} is not a numeric Authlete client ID and no client map is given`,
        column,
        legacyClient: legacy,
      };
    }
    clientId = Number(legacy);
  }

  const grantColumn = mapping.columns.grantType;
  const grantValue = grantColumn ? fieldValue(fields, grantColumn) : undefined;
  if (!isAbsent(grantValue) && grantValue !== "") {
    const text = String(grantValue);
    const mapped =
      mapping.grantTypes[text] ??
      (authleteGrantTypes.includes(text as CreatableGrantType) ? (text as CreatableGrantType) : undefined);
    if (!mapped)
      return {
        reason: "grant_type_unknown",
        detail: `grant type ${JSON.stringify(text)} is not mapped`,
        column: grantColumn,
      };
    return { clientId, grantType: mapped };
  }
  const grantType = clientGrant ?? mapping.defaultGrantType;
  if (grantType === null)
    return {
      reason: "grant_type_unknown",
      detail: `no grant type for legacy client ${JSON.stringify(legacy)}: the mapping has no default`,
      column: grantColumn,
      legacyClient: legacy,
    };
  return { clientId, grantType };
}

/** Rows without a client value are counted under this name, so the per-client counts add up to the rows. */
const noClient = "(no client)";

/** The client a row is reported under: its Authlete client ID when the mapping knows it, else the legacy value. */
export function reportedClient(fields: Record<string, unknown>, mapping: Mapping): string {
  const column = mapping.columns.clientId;
  const value = column ? fieldValue(fields, column) : undefined;
  if (isAbsent(value) || value === "") return noClient;
  const legacy = String(value);
  const target = mapping.clients?.get(legacy);
  return target ? String(target.clientId) : legacy;
}
