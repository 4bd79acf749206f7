import type { Payload } from "../map/types.js";

export interface SendTimeLifetimes {
  accessTokenDuration?: number;
  accessTokenPersistent?: boolean;
  refreshTokenDuration?: number;
  /** The legacy refresh token died while the row waited: send without it. */
  dropRefreshToken: boolean;
}

/**
 * Whole seconds left, rounded down and less one second: Authlete counts the duration from when the
 * request arrives, a little after `now`, and its expiry must never be later than the legacy one.
 * The result is 1–2 s short of the legacy expiry.
 */
function secondsLeft(at: number, now: number): number {
  return Math.floor((at - now) / 1000) - 1;
}

/**
 * Lifetimes computed when the request is sent (a row that waited in the queue must not outlive its
 * original). "expired" when nothing worth sending is left.
 */
export function lifetimesAt(payload: Payload, now: number): SendTimeLifetimes | "expired" {
  const hasRefresh = payload.request.refreshToken !== undefined;
  const refreshSeconds =
    payload.refreshExpiresAt === null ? undefined : secondsLeft(payload.refreshExpiresAt, now);
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
    const seconds = secondsLeft(payload.accessExpiresAt, now);
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
  // No live legacy refresh token: Authlete would generate one nobody holds; make it expire at once.
  return { ...access, refreshTokenDuration: 1, dropRefreshToken: hasRefresh };
}
