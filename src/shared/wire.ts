import { isIP } from "node:net";
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

/** Property keys Authlete keeps for itself (they would clash with its token response): never a property. */
export const reservedPropertyKeys: ReadonlySet<string> = new Set([
  "access_token",
  "token_type",
  "expires_in",
  "refresh_token",
  "scope",
  "error",
  "error_description",
  "error_uri",
  "id_token",
]);

/** A Retry-After header (seconds or an HTTP date) in milliseconds from now; undefined when absent or bad. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** This machine: localhost, ::1 or 127.0.0.0/8. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/** Whether a credential may travel to this URL: HTTPS, or plain HTTP to this machine only. */
export function protectsCredentials(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
}
