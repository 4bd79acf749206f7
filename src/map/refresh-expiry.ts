import { computedExpiry, readInstant, type Instant } from "./lifetimes.js";
import { invalid } from "./mapping-checks.js";
import type { Mapping, RefreshTokenExpiry } from "./types.js";

const unknownExpiry =
  'columns.refreshToken is mapped but not the refresh tokens\' expiry: Authlete would give them its default lifetime, whatever the legacy server allowed. Map columns.refreshTokenExpiresAt (or refreshTokenExpiresIn), or set refreshTokenExpiry: {"after": "accessTokenExpiresAt" or "issuedAt", "seconds": N} (django-oauth-toolkit: the access expiry + REFRESH_TOKEN_EXPIRE_SECONDS), or "service-default" to accept Authlete\'s';

/**
 * How a refresh token's legacy expiry is known when no column holds it: a lifetime counted from the
 * access expiry or the issue time (a server setting), or an explicit "service-default". A mapping that
 * says nothing is refused: a refresh token must not outlive the legacy one silently.
 */
export function checkRefreshTokenExpiry(
  value: RefreshTokenExpiry | undefined,
  columns: Mapping["columns"],
  file: string,
): RefreshTokenExpiry | undefined {
  const fromColumn = Boolean(columns.refreshTokenExpiresAt || columns.refreshTokenExpiresIn);
  if (value === undefined) {
    if (columns.refreshToken && !fromColumn) invalid(file, unknownExpiry, "refreshTokenExpiry");
    return undefined;
  }
  if (fromColumn)
    invalid(file, "give refreshTokenExpiry or a refresh expiry column, not both", "refreshTokenExpiry");
  if (value !== "service-default" && value.after === "issuedAt" && !columns.issuedAt)
    invalid(file, 'refreshTokenExpiry.after "issuedAt" needs columns.issuedAt', "refreshTokenExpiry.after");
  if (value !== "service-default" && value.column !== undefined && !columns.refreshToken)
    invalid(file, "refreshTokenExpiry.column needs columns.refreshToken", "refreshTokenExpiry.column");
  return value;
}

/** A refresh token's legacy expiry: its column, else the mapping's lifetime, else "none" (service default). */
export function readRefreshExpiry(
  source: { fields: Record<string, unknown>; mapping: Mapping },
  fromColumns: Instant,
  accessExpiry: Instant,
): Instant {
  const rule = source.mapping.refreshTokenExpiry;
  if (rule === undefined || rule === "service-default") return fromColumns;
  const base = rule.after === "issuedAt" ? readInstant(source, "issuedAt") : accessExpiry;
  return computedExpiry(source, rule, base, "refreshTokenExpiresIn");
}
