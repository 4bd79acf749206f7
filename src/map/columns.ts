// The mapping's vocabulary, apart from the types that use it: the schema (mapping-schema.ts) checks names
// against these lists and types.ts names its shapes after them, without either importing the other.
import { grantTypes, type GrantType } from "../shared/wire.js";

/** Grant types /auth/token/create accepts: all but REFRESH_TOKEN. */
export type CreatableGrantType = Exclude<GrantType, "REFRESH_TOKEN">;
export const authleteGrantTypes = grantTypes.filter((g): g is CreatableGrantType => g !== "REFRESH_TOKEN");

export const columnNames = [
  "accessToken",
  "refreshToken",
  "clientId",
  "subject",
  "scopes",
  "grantType",
  "issuedAt",
  "accessTokenExpiresAt",
  "accessTokenExpiresIn",
  "refreshTokenExpiresAt",
  "refreshTokenExpiresIn",
  "revokedAt",
  "accessTokenRevokedAt",
  "refreshTokenRevokedAt",
  "dpopKeyThumbprint",
  "certificateThumbprint",
  "resources",
  "acr",
  "authTime",
  "authorizationDetails",
  "clientIdAliasUsed",
  "sessionId",
  "refreshTokenScopes",
] as const;
export type ColumnName = (typeof columnNames)[number];

/**
 * Columns that may list several source columns (the earliest time wins): `revokedAt` ends the row,
 * `accessTokenRevokedAt` the access token alone (the refresh token lives on, as at Authlib with the hint
 * `access_token`), `refreshTokenRevokedAt` the refresh token alone.
 */
export const revocationColumns = ["revokedAt", "accessTokenRevokedAt", "refreshTokenRevokedAt"] as const;
export type RevocationColumn = (typeof revocationColumns)[number];
