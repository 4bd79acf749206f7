import { probeTokenFor, tokenHash } from "../shared/hash.js";
import { fieldValue, isAbsent } from "./fields.js";
import { readExpiry, readRevocation, type Instant } from "./lifetimes.js";
import { mapScopes } from "./scopes.js";
import { resolveClient } from "./client.js";
import { withClaims } from "./jwt.js";
import type { MapContext, MapResult, Payload, Refusal, ReasonCode, SourceRow, ValidKeyIds } from "./types.js";

/** RFC 6750 b64token: what an access or refresh token value may contain. Values are never trimmed. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Less than this left cannot be sent: durations are whole seconds, one short of the legacy expiry. */
const minimumLifeMs = 2000;

/** Longer values are refused: no token type issues them, and a runaway field is not a token. */
const maxTokenLength = 16_384;

type TokenValue = string | null | { reason: ReasonCode; detail: string };

function tokenValue(value: unknown, column: string): TokenValue {
  if (isAbsent(value) || value === "") return null;
  if (typeof value !== "string") return { reason: "token_invalid_syntax", detail: `${column} is not text` };
  if (value.length > maxTokenLength) {
    return {
      reason: "token_invalid_syntax",
      detail: `${column} is ${value.length} characters, over ${maxTokenLength}`,
    };
  }
  if (!b64token.test(value)) {
    return {
      reason: "token_invalid_syntax",
      detail: `${column} is not RFC 6750 b64token syntax (length ${value.length})`,
    };
  }
  return value;
}

function refuse(
  kind: Refusal["kind"],
  reason: ReasonCode,
  detail: string,
  extra: Partial<Refusal> = {},
): Refusal {
  return { kind, reason, detail, key: null, refreshHash: null, ...extra };
}

/** Turns one legacy row into a create payload, or says why it is skipped or rejected. Pure. */
export function mapRow(row: SourceRow, ctx: MapContext): MapResult {
  const { mapping, now } = ctx;
  if (row.error) return refuse("rejected", "malformed_row", row.error.detail, { column: row.error.column });
  const { columns } = mapping;
  const access = tokenValue(fieldValue(row.fields, columns.accessToken), columns.accessToken);
  const refresh = columns.refreshToken
    ? tokenValue(fieldValue(row.fields, columns.refreshToken), columns.refreshToken)
    : null;
  const accessKey = typeof access === "string" ? tokenHash(access) : null;
  const refreshHash = typeof refresh === "string" ? tokenHash(refresh) : null;
  const probeToken =
    typeof access === "string" ? access : typeof refresh === "string" ? probeTokenFor(refresh) : undefined;
  const keys = {
    key: probeToken === undefined ? null : (accessKey ?? tokenHash(probeToken)),
    refreshHash,
    probeToken,
  };
  for (const [value, column] of [
    [access, columns.accessToken],
    [refresh, columns.refreshToken],
  ] as const) {
    if (value !== null && typeof value === "object")
      return refuse("rejected", value.reason, value.detail, { ...keys, column });
  }
  const emptyButExpected = access === null && refresh === null && mapping.unrecoverable?.empty === true;
  if (access === null && refresh === null && !emptyButExpected) {
    return refuse("rejected", "token_missing", `${columns.accessToken} is empty`, {
      column: columns.accessToken,
    });
  }

  let fields = row.fields;
  if (mapping.jwt?.claims) {
    const checked = withClaims(row.fields, mapping);
    if ("contradicts" in checked) {
      return refuse("rejected", "jwt_claims_mismatch", checked.detail, {
        ...keys,
        column: mapping.columns[checked.contradicts],
      });
    }
    fields = checked.fields;
  }
  const source = { fields, mapping };
  const accessExpiry = readExpiry(source, "accessTokenExpiresAt", "accessTokenExpiresIn");
  const refreshExpiry = readExpiry(source, "refreshTokenExpiresAt", "refreshTokenExpiresIn");
  const revocation = readRevocation(source, "revokedAt", now);
  const refreshRevocation = readRevocation(source, "refreshTokenRevokedAt", now);
  for (const value of [accessExpiry, refreshExpiry, revocation, refreshRevocation] as const) {
    if (typeof value === "object" && "invalid" in value) {
      const column = mapping.columns[value.invalid];
      return refuse("rejected", "time_invalid", `${column} is not a valid time or duration`, {
        ...keys,
        column,
      });
    }
  }
  if ("revoked" in revocation && revocation.revoked)
    return refuse("skipped", "revoked", "revoked in the source", keys);
  const cap = "capAt" in revocation ? revocation.capAt : undefined;
  const capped = (at: number) => (cap === undefined ? at : Math.min(at, cap));
  const pattern = mapping.unrecoverable?.pattern;
  if (
    emptyButExpected ||
    (pattern && [access, refresh].some((v) => typeof v === "string" && pattern.test(v)))
  ) {
    const ends = {
      access:
        accessExpiry === "never"
          ? (cap ?? null)
          : typeof accessExpiry === "number"
            ? capped(accessExpiry)
            : now,
      refresh:
        refresh === null && !emptyButExpected
          ? now
          : "revoked" in refreshRevocation && refreshRevocation.revoked
            ? now
            : lifetimeEnd(refreshExpiry, capped, cap),
    };
    const alive = (end: number | null) => end === null || end - now >= minimumLifeMs;
    if (!alive(ends.access) && !(columns.refreshToken && alive(ends.refresh))) {
      return refuse("skipped", "expired", "expired in the source", keys);
    }
    const stores = mapping.unrecoverable!.stores;
    return refuse(
      "rejected",
      "value_not_recoverable",
      `the source stores only ${stores}, not the token value`,
      {
        ...keys,
        legacyExpiry: ends,
      },
    );
  }

  // Access expiry: absolute ms, or null for a never-expiring token sent as persistent.
  let accessExpiresAt: number | null;
  if (accessExpiry === "none" && access !== null) {
    return refuse(
      "rejected",
      "expiry_missing",
      "the access token has no expiry and none is listed as never",
      {
        ...keys,
        column: columns.accessTokenExpiresAt ?? columns.accessTokenExpiresIn,
      },
    );
  }
  const never = mapping.policy.neverExpiringAccessToken;
  if (accessExpiry === "never")
    accessExpiresAt = never === "persistent" ? (cap ?? null) : capped(now + never * 1000);
  else if (typeof accessExpiry === "number") accessExpiresAt = capped(accessExpiry);
  else accessExpiresAt = now; // no access token in the row: only its refresh token can be migrated

  const refreshDead = refresh === null || ("revoked" in refreshRevocation && refreshRevocation.revoked);
  const refreshExpiresAt = refreshDead ? null : lifetimeEnd(refreshExpiry, capped, cap);
  const refreshAlive = !refreshDead && (refreshExpiresAt === null || refreshExpiresAt - now >= minimumLifeMs);
  const accessAlive = access !== null && (accessExpiresAt === null || accessExpiresAt - now >= minimumLifeMs);

  let refreshOnly = false;
  if (!accessAlive) {
    if (!refreshAlive) return refuse("skipped", "expired", "expired in the source", keys);
    if (mapping.policy.expiredAccessTokenWithLiveRefreshToken === "skip") {
      return refuse(
        "skipped",
        "expired_access_token",
        "access token expired; refresh-only rows are skipped by policy",
        keys,
      );
    }
    refreshOnly = true;
  }
  // After the expiry checks: LINE does not list an expired token's key ID either, and expired says why.
  if (mapping.validKeyIds) {
    const refusal = keyIdRefusal(mapping.validKeyIds, fields, columns.clientId, keys);
    if (refusal) return refusal;
  }

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
        "the subject must be printable ASCII of at most 100 characters",
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
  const dpopKeyThumbprint = text(columns.dpopKeyThumbprint);
  const certificateThumbprint = text(columns.certificateThumbprint);
  const sentToken = refreshOnly ? probeTokenFor(refresh as string) : (access as string);

  const payload: Payload = {
    kind: "payload",
    key: keys.key as string,
    refreshHash: refreshAlive ? refreshHash : null,
    request: {
      grantType: client.grantType,
      clientId: client.clientId,
      ...(subject !== undefined && client.grantType !== "CLIENT_CREDENTIALS" ? { subject } : {}),
      scopes,
      accessToken: sentToken,
      ...(refreshAlive ? { refreshToken: refresh as string } : {}),
      ...(properties.length ? { properties } : {}),
      ...(dpopKeyThumbprint ? { dpopKeyThumbprint } : {}),
      ...(certificateThumbprint ? { certificateThumbprint } : {}),
    },
    probeToken: sentToken,
    accessExpiresAt: refreshOnly ? null : accessExpiresAt,
    refreshExpiresAt: refreshAlive ? refreshExpiresAt : null,
    refreshOnly,
  };
  return payload;
}

function lifetimeEnd(
  expiry: Instant,
  capped: (at: number) => number,
  cap: number | undefined,
): number | null {
  if (typeof expiry === "number") return capped(expiry);
  return cap ?? null;
}

/** LINE v2.1: a token whose key ID the issuer no longer lists is revoked (or expired) there. */
function keyIdRefusal(
  valid: ValidKeyIds,
  fields: SourceRow["fields"],
  channelColumn: string | undefined,
  keys: Partial<Refusal>,
): Refusal | undefined {
  if (!valid.ids) throw new Error("the valid key IDs were not fetched before mapping (pipeline/key-ids.ts)");
  if (valid.issuer) {
    const channel = channelColumn === undefined ? undefined : fieldValue(fields, channelColumn);
    if (!valid.issuer.channels.has(String(channel)))
      return refuse(
        "rejected",
        "key_id_unverifiable",
        `no signing key is configured for channel ${String(channel)}: its valid key IDs are unknown`,
        { ...keys, column: channelColumn },
      );
  }
  const kid = fieldValue(fields, valid.column);
  if (isAbsent(kid) || kid === "")
    return refuse(
      "rejected",
      "key_id_unverifiable",
      `${valid.column} is empty: the token cannot be checked`,
      {
        ...keys,
        column: valid.column,
      },
    );
  if (valid.ids.has(String(kid))) return undefined;
  return refuse(
    "skipped",
    "revoked_in_source",
    "the source no longer lists the token's key ID as valid",
    keys,
  );
}
