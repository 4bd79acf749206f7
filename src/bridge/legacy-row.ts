import type { LegacyFacts } from "../legacy/index.js";
import { mapRow, type Mapping } from "../map/index.js";
import type { MappedRow } from "../rows/index.js";

/** A token as the caller presented it: its value and what it is (the hint the legacy server is asked with). */
export interface Presented {
  value: string;
  hint: "access_token" | "refresh_token";
}

/** The members of an RFC 7662 answer, as the columns of a row. */
const answerColumns = {
  accessToken: "access_token",
  refreshToken: "refresh_token",
  clientId: "client_id",
  subject: "sub",
  scopes: "scope",
  accessTokenExpiresAt: "exp",
  refreshTokenExpiresAt: "refresh_exp",
} as const;

/**
 * The mapping a legacy server's answer is read with: the user's rules for clients (map, grant types),
 * scopes (map) and policy, over the answer's members instead of the dump's columns. What a dump needs and
 * an answer never has (revocation columns: an active answer is not revoked; an export query; stored hashes;
 * a computed lifetime: the answer's `exp` is the only one trusted) is dropped, so a token without `exp` is
 * refused (`expiry_missing`), never created with a lifetime of the tool's choosing.
 */
export function answerMapping(mapping: Mapping): Mapping {
  return Object.freeze({
    ...mapping,
    columns: answerColumns,
    revocations: { revokedAt: [], accessTokenRevokedAt: [], refreshTokenRevokedAt: [] },
    ignore: undefined,
    exportQuery: undefined,
    unrecoverable: undefined,
    jwt: undefined,
    validKeyIds: undefined,
    accessTokenExpiry: undefined,
    refreshTokenExpiry: undefined,
    properties: [],
    revokesByDeleting: false,
    // RFC 7662 §2.2: space-separated scopes, and `exp` in seconds since the epoch (given here as an instant).
    scopes: { ...mapping.scopes, separator: " " as const },
    time: { ...mapping.time, timezone: "UTC", neverExpires: { "*": [] } },
  });
}

/**
 * The legacy server's answer for a presented token, mapped as a row would be at `now`: the presented
 * value, byte for byte, with the answer's client, subject, scopes and expiry. A refresh token is a
 * refresh-only row (its access token is the legacy server's, long gone or never shown).
 */
export function answerRow(
  mapping: Mapping,
  presented: Presented,
  facts: Extract<LegacyFacts, { active: true }>,
  now: number,
): MappedRow {
  const exp = facts.expiresAt === undefined ? "" : new Date(facts.expiresAt).toISOString();
  const access = presented.hint === "access_token";
  const fields: Record<string, string> = {
    access_token: access ? presented.value : "",
    refresh_token: access ? "" : presented.value,
    client_id: facts.clientId ?? "",
    sub: facts.subject ?? "",
    scope: facts.scope ?? "",
    exp: access ? exp : "",
    refresh_exp: access ? "" : exp,
  };
  const row = { file: "bridge", rowNo: 0, fields };
  const result = mapRow(row, { mapping, now });
  return { row: { file: row.file, rowNo: 0, line: 0 }, client: fields.client_id!, result, now };
}
