import { computedExpiry, readExpiry, readRevocation, type Instant } from "./lifetimes.js";
import { minimumLifeMs } from "./refusal.js";
import { readRefreshExpiry } from "./refresh-expiry.js";
import type { ColumnName, Mapping } from "./types.js";

/** What a row says of its tokens' lives: expiries, revocations, and a future revocation that caps both. */
export interface Lifetimes {
  access: Instant;
  refresh: Instant;
  revoked: boolean;
  refreshRevoked: boolean;
  /** A revocation dated in the future: neither token outlives it. */
  cap?: number;
}

/** Reads a row's expiry and revocation columns; the first column that holds no valid time, if any. */
export function readLifetimes(
  fields: Record<string, unknown>,
  mapping: Mapping,
  now: number,
): Lifetimes | { invalid: ColumnName } {
  const source = { fields, mapping };
  const access = mapping.accessTokenExpiry
    ? computedExpiry(source, mapping.accessTokenExpiry)
    : readExpiry(source, "accessTokenExpiresAt", "accessTokenExpiresIn");
  const refresh = readRefreshExpiry(
    source,
    readExpiry(source, "refreshTokenExpiresAt", "refreshTokenExpiresIn"),
    access,
  );
  const revocation = readRevocation(source, "revokedAt", now);
  const refreshRevocation = readRevocation(source, "refreshTokenRevokedAt", now);
  for (const value of [access, refresh, revocation, refreshRevocation])
    if (typeof value === "object" && "invalid" in value) return { invalid: value.invalid };
  const revoked = "revoked" in revocation && revocation.revoked;
  const refreshRevoked = "revoked" in refreshRevocation && refreshRevocation.revoked;
  const cap = "capAt" in revocation ? revocation.capAt : undefined;
  return { access: access as Instant, refresh: refresh as Instant, revoked, refreshRevoked, cap };
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
  const capped = (at: number) => (life.cap === undefined ? at : Math.min(at, life.cap));
  const end = (expiry: Instant) => (typeof expiry === "number" ? capped(expiry) : (life.cap ?? null));
  const access = !held.access
    ? now
    : life.access === "never" || typeof life.access === "number"
      ? end(life.access)
      : "unknown";
  const refresh = !held.refresh || life.refreshRevoked ? now : end(life.refresh);
  return { access, refresh };
}

/** Alive long enough to be sent: durations are whole seconds, short of the legacy expiry. */
export const aliveAt = (end: number | null | "unknown", now: number): boolean =>
  end === null || (typeof end === "number" && end - now >= minimumLifeMs);
