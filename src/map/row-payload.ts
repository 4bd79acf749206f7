import { probeTokenFor } from "../shared/hash.js";
import { readAttributes } from "./attributes.js";
import { resolveClient } from "./client.js";
import { fieldValue, isAbsent } from "./fields.js";
import { refuse } from "./refusal.js";
import { mapScopes } from "./scopes.js";
import type { Mapping, Payload, UnkeyedPayload, UnkeyedRefusal } from "./types.js";

/** What the earlier phases settled about a row that is to be sent. */
export interface LiveRow {
  /** The access token's end as sent (ms; null = persistent). */
  accessEnd: number | null;
  /** The refresh token's end (ms; null = the service default); undefined = it is not sent. */
  refreshEnd?: number | null;
  refreshOnly: boolean;
  /** The source revoked the access token alone; its refresh token lives on (sent refresh-only). */
  accessRevoked?: boolean;
}

/**
 * The identity and payload phases: the client and subject the token belongs to, its scopes, properties
 * and carried attributes, and the create request itself. Pure.
 */
export function rowPayload(
  fields: Record<string, unknown>,
  mapping: Mapping,
  tokens: { access: string | null; refresh: string | null },
  keys: { probeToken?: string; refreshKeyToken?: string },
  life: LiveRow,
): UnkeyedPayload | UnkeyedRefusal {
  const { columns } = mapping;
  const client = resolveClient(fields, mapping);
  if ("reason" in client)
    return refuse("rejected", client.reason, client.detail, {
      ...keys,
      column: client.column,
      legacyClient: client.legacyClient,
    });

  const subjectValue = columns.subject ? fieldValue(fields, columns.subject) : undefined;
  const subject = isAbsent(subjectValue) || subjectValue === "" ? undefined : String(subjectValue);
  if (client.grantType !== "CLIENT_CREDENTIALS") {
    if (subject === undefined && client.grantType !== "JWT_BEARER") {
      return refuse("rejected", "subject_missing", `${client.grantType} needs a subject`, {
        ...keys,
        column: columns.subject,
      });
    }
    if (subject !== undefined && (!/^[\x20-\x7e]*$/.test(subject) || subject.length > 100)) {
      return refuse(
        "rejected",
        "subject_invalid",
        "the subject must be printable ASCII of at most 100 characters (a user name often is not: map the subject to the user ID column instead)",
        {
          ...keys,
          column: columns.subject,
        },
      );
    }
  }

  const scopes = mapScopes(columns.scopes ? fieldValue(fields, columns.scopes) : undefined, mapping.scopes);
  if ("error" in scopes)
    return refuse("rejected", "scope_invalid", scopes.error, { ...keys, column: columns.scopes });

  const properties = mapping.properties.flatMap((p) => {
    const value = fieldValue(fields, p.column);
    return isAbsent(value)
      ? []
      : [{ key: p.key, value: typeof value === "string" ? value : JSON.stringify(value), hidden: p.hidden }];
  });
  const text = (column: string | undefined) => {
    const value = column ? fieldValue(fields, column) : undefined;
    return isAbsent(value) || value === "" ? undefined : String(value);
  };
  const carried = readAttributes(fields, mapping, scopes);
  if ("invalid" in carried) {
    const column = columns[carried.invalid];
    return refuse("rejected", "attribute_invalid", `${column} ${carried.detail}`, { ...keys, column });
  }
  const dpopKeyThumbprint = text(columns.dpopKeyThumbprint);
  const certificateThumbprint = text(columns.certificateThumbprint);
  const sentToken = life.refreshOnly ? probeTokenFor(tokens.refresh!) : tokens.access!;

  // Built key by key, in the order Authlete's request lists them: conditional spreads of literals
  // were a tenth of the mapping's time.
  const request: Payload["request"] = { grantType: client.grantType, clientId: client.clientId };
  if (subject !== undefined && client.grantType !== "CLIENT_CREDENTIALS") request.subject = subject;
  request.scopes = scopes;
  request.accessToken = sentToken;
  if (life.refreshEnd !== undefined) request.refreshToken = tokens.refresh!;
  if (properties.length) request.properties = properties;
  if (dpopKeyThumbprint) request.dpopKeyThumbprint = dpopKeyThumbprint;
  if (certificateThumbprint) request.certificateThumbprint = certificateThumbprint;
  Object.assign(request, carried.attributes);
  const payload: UnkeyedPayload = {
    kind: "payload",
    keyToken: keys.probeToken!,
    request,
    probeToken: sentToken,
    accessExpiresAt: life.refreshOnly ? null : life.accessEnd,
    refreshExpiresAt: life.refreshEnd ?? null,
    refreshOnly: life.refreshOnly,
  };
  if (carried.notCarried.length) payload.notCarried = carried.notCarried;
  if (life.accessRevoked) payload.revokedAccessToken = tokens.access!;
  return payload;
}
