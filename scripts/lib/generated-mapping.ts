/**
 * The one mapping of every generated dump (tests, chaos, benchmarks): columns as in a Doorkeeper-like
 * export with absolute expiries, and the emulator's three seeded clients by legacy name.
 */
export const generatedMapping = {
  columns: {
    accessToken: "token",
    refreshToken: "refresh_token",
    clientId: "client",
    subject: "user",
    scopes: "scopes",
    accessTokenExpiresAt: "expires_at",
    refreshTokenExpiresAt: "refresh_expires_at",
    revokedAt: "revoked_at",
  },
  clients: {
    web: 26888344961664,
    mobile: 26888344961665,
    billing: { clientId: 26888344961666, grantType: "CLIENT_CREDENTIALS" },
  },
  time: { neverExpires: ["never"] },
};

/** The generated mapping for a dump without refresh tokens: its refresh columns are not in the dump. */
export const accessOnlyMapping = {
  ...generatedMapping,
  columns: {
    accessToken: "token",
    clientId: "client",
    subject: "user",
    scopes: "scopes",
    accessTokenExpiresAt: "expires_at",
    revokedAt: "revoked_at",
  },
};
