import { computedExpiry, readExpiry, readInstant, readRevocation, type Instant } from "./lifetimes.js";
import { minimumLifeMs } from "./refusal.js";
import { readRefreshExpiry } from "./refresh-expiry.js";
import type { ColumnName, Mapping } from "./types.js";

/** What a row says of its tokens' lives: expiries, revocations, and a future revocation that caps both. */
export interface Lifetimes {
  access: Instant;
  refresh: Instant;
  revoked: boolean;
  /** The access token alone is revoked (its refresh token may live on). */
  accessRevoked: boolean;
  refreshRevoked: boolean;
  /** A revocation dated in the future: neither token outlives it. */
  cap?: number;
  /** Future revocations of one token only. */
  accessCap?: number;
  refreshCap?: number;
}

/** Reads a row's expiry and revocation columns; the first column that holds no valid time, if any. */
export function readLifetimes(
  fields: Record<string, unknown>,
  mapping: Mapping,
  now: number,
): Lifetimes | { invalid: ColumnName; path?: string } {
  const source = { fields, mapping };
  const access = mapping.accessTokenExpiry
    ? computedExpiry(
        source,
        mapping.accessTokenExpiry,
        readInstant(source, "issuedAt"),
        "accessTokenExpiresIn",
      )
    : readExpiry(source, "accessTokenExpiresAt", "accessTokenExpiresIn");
  const refresh = readRefreshExpiry(
    source,
    readExpiry(source, "refreshTokenExpiresAt", "refreshTokenExpiresIn"),
    access,
  );
  const revocations = [
    readRevocation(source, "revokedAt", now),
    readRevocation(source, "accessTokenRevokedAt", now),
    readRevocation(source, "refreshTokenRevokedAt", now),
  ] as const;
  for (const value of [access, refresh, ...revocations])
    if (typeof value === "object" && "invalid" in value) return value;
  const [row, accessOnly, refreshOnly] = revocations as unknown as { revoked: boolean; capAt?: number }[];
  return {
    access: access as Instant,
    refresh: refresh as Instant,
    revoked: row!.revoked,
    accessRevoked: accessOnly!.revoked,
    refreshRevoked: refreshOnly!.revoked,
    cap: row!.capAt,
    accessCap: accessOnly!.capAt,
    refreshCap: refreshOnly!.capAt,
  };
}

/**
 * The one "live until" rule, at the legacy server (epoch ms; null = never): an expiry capped by a
 * future revocation; an access token the row does not hold, or a refresh token it does not hold or that
 * is revoked, ended `now`. `access` is "unknown" for a held access token with no expiry, not listed as
 * never expiring.
 */
export function liveUntil(
  life: Lifetimes,
  held: { access: boolean; refresh: boolean },
  now: number,
): { access: number | null | "unknown"; refresh: number | null } {
  // The earliest of an expiry (null: never) and the future revocations that apply; null when none.
  // Without arrays: this runs for every row of a dump.
  const end = (expiry: Instant, own?: number) => {
    let at = typeof expiry === "number" ? expiry : Number.POSITIVE_INFINITY;
    if (life.cap !== undefined && life.cap < at) at = life.cap;
    if (own !== undefined && own < at) at = own;
    return at === Number.POSITIVE_INFINITY ? null : at;
  };
  const access =
    !held.access || life.accessRevoked
      ? now
      : life.access === "never" || typeof life.access === "number"
        ? end(life.access, life.accessCap)
        : "unknown";
  const refresh = !held.refresh || life.refreshRevoked ? now : end(life.refresh, life.refreshCap);
  return { access, refresh };
}

/** Alive long enough to be sent: durations are whole seconds, short of the legacy expiry. */
export const aliveAt = (end: number | null | "unknown", now: number): boolean =>
  end === null || (typeof end === "number" && end - now >= minimumLifeMs);
