import { probeTokenFor } from "../shared/hash.js";
import { fieldValue } from "./fields.js";
import { keyIdRefusal } from "./key-ids.js";
import { refuse, tokenValue } from "./refusal.js";
import { aliveAt, liveUntil, readLifetimes, type Lifetimes } from "./live-until.js";
import { rowPayload, type LiveRow } from "./row-payload.js";
import { withClaims } from "./jwt.js";
import { keyResult } from "./payload-keys.js";
import type { MapContext, Mapping, MapResult, SourceRow, UnkeyedRefusal, UnkeyedResult } from "./types.js";

/**
 * The token values a row's ledger keys hash (a refusal spreads them): the key is the probe token's hash —
 * the access token, or the probe derived for a row without one — the refresh key its refresh token's.
 */
type Keys = { probeToken?: string; refreshKeyToken?: string };
type Tokens = { access: string | null; refresh: string | null };

/** Values phase: the token values (never trimmed) and the ledger keys they give the row. */
function readValues(row: SourceRow, mapping: Mapping): { tokens: Tokens; keys: Keys } | UnkeyedRefusal {
  const { columns } = mapping;
  const access = tokenValue(fieldValue(row.fields, columns.accessToken), columns.accessToken);
  const refresh = columns.refreshToken
    ? tokenValue(fieldValue(row.fields, columns.refreshToken), columns.refreshToken)
    : null;
  const probeToken =
    typeof access === "string" ? access : typeof refresh === "string" ? probeTokenFor(refresh) : undefined;
  const keys: Keys = { probeToken, refreshKeyToken: typeof refresh === "string" ? refresh : undefined };
  for (const [value, column] of [
    [access, columns.accessToken],
    [refresh, columns.refreshToken],
  ] as const) {
    if (value !== null && typeof value === "object")
      return refuse("rejected", value.reason, value.detail, { ...keys, column });
  }
  return { tokens: { access: access as string | null, refresh: refresh as string | null }, keys };
}

/**
 * A row whose values the source does not keep (hashed or emptied): never sent. Skipped when it is dead
 * anyway, else rejected with how long the legacy server must keep validating it.
 */
function unrecoverable(
  life: Lifetimes,
  tokens: Tokens,
  keys: Keys,
  mapping: Mapping,
  now: number,
): UnkeyedRefusal {
  const bothEmpty = tokens.access === null && tokens.refresh === null;
  const until = liveUntil(life, { access: true, refresh: tokens.refresh !== null || bothEmpty }, now);
  const ends = { access: until.access === "unknown" ? now : until.access, refresh: until.refresh };
  if (!aliveAt(ends.access, now) && !(mapping.columns.refreshToken && aliveAt(ends.refresh, now)))
    return refuse("skipped", "expired", "expired in the source", keys);
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

/** Liveness phase: what is sent and until when, or why the row is not sent. */
function liveness(
  life: Lifetimes,
  tokens: Tokens,
  keys: Keys,
  mapping: Mapping,
  now: number,
): LiveRow | UnkeyedRefusal {
  const { columns, policy } = mapping;
  const until = liveUntil(life, { access: tokens.access !== null, refresh: tokens.refresh !== null }, now);
  if (until.access === "unknown")
    return refuse(
      "rejected",
      "expiry_missing",
      "the access token has no expiry and none is listed as never",
      {
        ...keys,
        column: columns.accessTokenExpiresAt ?? columns.accessTokenExpiresIn,
      },
    );
  // A never-expiring access token is sent persistent, or with the lifetime the policy gives it.
  const never = policy.neverExpiringAccessToken;
  const accessEnd =
    life.access === "never" && never !== "persistent"
      ? Math.min(now + never * 1000, until.access ?? Number.POSITIVE_INFINITY)
      : until.access;
  const refreshAlive = tokens.refresh !== null && !life.refreshRevoked && aliveAt(until.refresh, now);
  const refreshEnd = refreshAlive ? until.refresh : undefined;
  if (tokens.access !== null && aliveAt(accessEnd, now)) return { accessEnd, refreshEnd, refreshOnly: false };
  // An access token revoked alone: a copy migrated earlier must end at Authlete, whatever is sent now.
  const accessRevoked = tokens.access !== null && life.accessRevoked;
  if (accessRevoked && !(refreshAlive && policy.expiredAccessTokenWithLiveRefreshToken === "refresh-only"))
    return refuse("skipped", "revoked", "the access token is revoked in the source", keys);
  if (!refreshAlive)
    return refuse("skipped", "expired", "expired in the source", {
      ...keys,
      ...(accessEnd === null ? {} : { accessExpiredAt: accessEnd }),
      ...(tokens.refresh !== null && life.refreshRevoked ? { refreshRevoked: true } : {}),
    });
  if (policy.expiredAccessTokenWithLiveRefreshToken === "skip")
    return refuse(
      "skipped",
      "expired_access_token",
      "access token expired; refresh-only rows are skipped by policy",
      keys,
    );
  return { accessEnd, refreshEnd, refreshOnly: true, ...(accessRevoked ? { accessRevoked } : {}) };
}

/**
 * Turns one legacy row into a create payload, or says why it is skipped or rejected. Pure. In phases:
 * values, claims, lifetimes (one "live until" rule), liveness, key IDs, then identity and payload.
 */
export function mapRow(row: SourceRow, ctx: MapContext): MapResult {
  return keyResult(mapRowUnkeyed(row, ctx));
}

/** `mapRow`, but the ledger keys are left to `keyResult`, where there is time to hash them. */
export function mapRowUnkeyed(row: SourceRow, ctx: MapContext): UnkeyedResult {
  const { mapping, now } = ctx;
  if (row.error) return refuse("rejected", "malformed_row", row.error.detail, { column: row.error.column });
  const { columns } = mapping;
  const values = readValues(row, mapping);
  if ("kind" in values) return values;
  const { tokens, keys } = values;
  const bothEmptyExpected =
    tokens.access === null && tokens.refresh === null && mapping.unrecoverable?.empty === true;
  if (tokens.access === null && tokens.refresh === null && !bothEmptyExpected)
    return refuse("rejected", "token_missing", `${columns.accessToken} is empty`, {
      column: columns.accessToken,
    });

  let fields = row.fields;
  if (mapping.jwt?.claims) {
    const checked = withClaims(row.fields, mapping);
    if ("contradicts" in checked)
      return refuse("rejected", "jwt_claims_mismatch", checked.detail, {
        ...keys,
        column: mapping.columns[checked.contradicts],
      });
    fields = checked.fields;
  }
  const life = readLifetimes(fields, mapping, now);
  if ("invalid" in life) {
    // A revocation list names the source column that holds the bad value, not only its first.
    const column = life.path ?? columns[life.invalid] ?? mapping.accessTokenExpiry?.column;
    const what =
      life.path !== undefined
        ? "a time, a flag or a value listed in time.revoked or time.notRevoked"
        : "a valid time or duration";
    return refuse("rejected", "time_invalid", `${column} is not ${what}`, {
      ...keys,
      column,
    });
  }
  if (life.revoked) return refuse("skipped", "revoked", "revoked in the source", keys);
  const pattern = mapping.unrecoverable?.pattern;
  if (
    bothEmptyExpected ||
    (pattern && [tokens.access, tokens.refresh].some((v) => v !== null && pattern.test(v)))
  )
    return unrecoverable(life, tokens, keys, mapping, now);

  const live = liveness(life, tokens, keys, mapping, now);
  if ("kind" in live) return live;
  // After the expiry checks: LINE does not list an expired token's key ID either, and expired says why.
  if (mapping.validKeyIds) {
    const refusal = keyIdRefusal(mapping.validKeyIds, fields, columns.clientId, keys);
    if (refusal) return refusal;
  }
  return rowPayload(fields, mapping, tokens, keys, live);
}
