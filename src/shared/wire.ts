/** Authlete's grant types (the SDK's closed enum): a wire type the emulator and the mapper share. */
export const grantTypes = [
  "AUTHORIZATION_CODE",
  "IMPLICIT",
  "PASSWORD",
  "CLIENT_CREDENTIALS",
  "REFRESH_TOKEN",
  "CIBA",
  "DEVICE_CODE",
  "TOKEN_EXCHANGE",
  "JWT_BEARER",
  "PRE_AUTHORIZED_CODE",
] as const;
export type GrantType = (typeof grantTypes)[number];
