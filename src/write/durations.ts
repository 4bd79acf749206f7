import type { Payload } from "../map/index.js";

export interface SendTimeLifetimes {
  accessTokenDuration?: number;
  accessTokenPersistent?: boolean;
  refreshTokenDuration?: number;
  /** The legacy refresh token died while the row waited: send without it. */
  dropRefreshToken: boolean;
}

/** What the target service does to lifetimes, as far as the writer must adapt to it. */
export interface LifetimeRules {
  /**
   * The service cuts an access token to its refresh token's expiry (`tokenExpirationLinked`), or the
   * setting could not be read: the refresh token Authlete generates for a row without one must then
   * live as long as the access token, not one second.
   */
  expirationLinked: boolean;
}

/** Aimed-at expiries stay this far before the legacy one: room for the request's time on the wire. */
export const expiryMarginMs = 500;

/** The absolute expiry (ms) a token is aimed at: whole seconds, at least the margin before the legacy one. */
export function aimedExpiry(legacyExpiry: number): number {
  return Math.floor((legacyExpiry - expiryMarginMs) / 1000) * 1000;
}

/**
 * Whole seconds from Authlete's time now (at its latest) to the aimed-at expiry: Authlete counts the
 * duration from when the request arrives, a little later, and its expiry must never pass the legacy one.
 */
function secondsLeft(at: number, authleteNow: number): number {
  return Math.floor((at - expiryMarginMs - authleteNow) / 1000);
}

/**
 * Lifetimes computed when the request is sent (a row that waited in the queue must not outlive its
 * original), counted from Authlete's clock. "expired" when nothing worth sending is left.
 */
export function lifetimesAt(
  payload: Payload,
  authleteNow: number,
  rules: LifetimeRules = { expirationLinked: false },
): SendTimeLifetimes | "expired" {
  const hasRefresh = payload.request.refreshToken !== undefined;
  const refreshSeconds =
    payload.refreshExpiresAt === null ? undefined : secondsLeft(payload.refreshExpiresAt, authleteNow);
  const refreshAlive = hasRefresh && (refreshSeconds === undefined || refreshSeconds >= 1);
  if (payload.refreshOnly) {
    if (!refreshAlive) return "expired";
    // The probe access token lives one second: only the refresh token is migrated.
    return {
      accessTokenDuration: 1,
      ...(refreshSeconds === undefined ? {} : { refreshTokenDuration: refreshSeconds }),
      dropRefreshToken: false,
    };
  }
  const access: Pick<SendTimeLifetimes, "accessTokenDuration" | "accessTokenPersistent"> = {};
  if (payload.accessExpiresAt === null) access.accessTokenPersistent = true;
  else {
    const seconds = secondsLeft(payload.accessExpiresAt, authleteNow);
    if (seconds < 1) return "expired";
    access.accessTokenDuration = seconds;
  }
  if (refreshAlive) {
    return {
      ...access,
      ...(refreshSeconds === undefined ? {} : { refreshTokenDuration: refreshSeconds }),
      dropRefreshToken: false,
    };
  }
  // No live legacy refresh token: Authlete generates one nobody holds. It expires at once, unless the
  // service links the access token's expiry to it: then it lives exactly as long as the access token
  // (a persistent one leaves it to the service's default).
  if (!rules.expirationLinked) return { ...access, refreshTokenDuration: 1, dropRefreshToken: hasRefresh };
  return {
    ...access,
    ...(access.accessTokenDuration === undefined ? {} : { refreshTokenDuration: access.accessTokenDuration }),
    dropRefreshToken: hasRefresh,
  };
}
