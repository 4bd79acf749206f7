import { probeTokenFor, tokenHash } from "../shared/hash.js";
import { fieldValue, isAbsent } from "./fields.js";
import { keyIdRefusal } from "./key-ids.js";
import { minimumLifeMs, refuse, tokenValue } from "./refusal.js";
import { readExpiry, readRevocation, type Instant } from "./lifetimes.js";
import { readRefreshExpiry } from "./refresh-expiry.js";
import { mapScopes } from "./scopes.js";
import { readAttributes } from "./attributes.js";
import { resolveClient } from "./client.js";
import { withClaims } from "./jwt.js";
import type { MapContext, MapResult, Payload, SourceRow } from "./types.js";

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
  const refreshExpiry = readRefreshExpiry(
    source,
    readExpiry(source, "refreshTokenExpiresAt", "refreshTokenExpiresIn"),
    accessExpiry,
  );
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
    if (!refreshAlive)
      return refuse("skipped", "expired", "expired in the source", {
        ...keys,
        ...(accessExpiresAt === null ? {} : { accessExpiredAt: accessExpiresAt }),
        ...(refresh !== null && refreshDead ? { refreshRevoked: true } : {}),
      });
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
      ...carried.attributes,
    },
    probeToken: sentToken,
    accessExpiresAt: refreshOnly ? null : accessExpiresAt,
    refreshExpiresAt: refreshAlive ? refreshExpiresAt : null,
    refreshOnly,
    ...(carried.notCarried.length ? { notCarried: carried.notCarried } : {}),
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
