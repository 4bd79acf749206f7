import { decodeJwt, type JWTPayload } from "jose";
import { fieldValue, isAbsent } from "./fields.js";
import type { ColumnName, Mapping } from "./types.js";

/** Columns a JWT access token's claims can stand in for when the row lacks them. */
export const claimColumns = [
  "subject",
  "clientId",
  "scopes",
  "accessTokenExpiresAt",
  "dpopKeyThumbprint",
  "certificateThumbprint",
] as const;

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The claims of a JWT-shaped token (not verified), or undefined when it is not one. */
export function jwtClaims(token: unknown): JWTPayload | undefined {
  if (typeof token !== "string" || !jwtShape.test(token)) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

function claimFor(column: (typeof claimColumns)[number], claims: JWTPayload): unknown {
  const cnf = (claims.cnf ?? {}) as Record<string, unknown>;
  switch (column) {
    case "subject":
      return claims.sub;
    case "clientId":
      return claims.client_id ?? claims.azp;
    case "scopes":
      return typeof claims.scope === "string"
        ? claims.scope
        : Array.isArray(claims.scp)
          ? (claims.scp as unknown[]).join(" ")
          : claims.scp;
    case "accessTokenExpiresAt":
      return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
    case "dpopKeyThumbprint":
      return cnf.jkt;
    case "certificateThumbprint":
      return cnf["x5t#S256"];
  }
}

export type ClaimCheck = { fields: Record<string, unknown> } | { contradicts: ColumnName; detail: string };

/**
 * Fills the columns a row lacks from its JWT access token's claims, and refuses a row whose claims
 * contradict what the row says (subject or client): a token is never migrated on conflicting facts.
 */
export function withClaims(fields: Record<string, unknown>, mapping: Mapping): ClaimCheck {
  const claims = jwtClaims(fieldValue(fields, mapping.columns.accessToken));
  if (!claims) return { fields };
  const filled: Record<string, unknown> = { ...fields };
  for (const column of claimColumns) {
    const path = mapping.columns[column];
    if (!path) continue;
    const claim = claimFor(column, claims);
    const own = fieldValue(fields, path);
    if (isAbsent(own) || own === "") {
      if (claim !== undefined) filled[path] = claim;
    } else if (
      (column === "subject" || column === "clientId") &&
      claim !== undefined &&
      String(claim) !== String(own)
    ) {
      return {
        contradicts: column,
        detail: `the JWT's ${column === "subject" ? "sub" : "client_id/azp"} claim contradicts ${path}`,
      };
    }
  }
  return { fields: filled };
}
