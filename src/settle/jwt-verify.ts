import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { jwtClaims } from "../map/index.js";
import type { Mapping, MapResult } from "../map/index.js";
import { readFailure } from "../shared/text.js";
import { MigrateError } from "../shared/errors.js";
import { readJsonFile } from "../shared/json-file.js";

/** jose's codes for a key set that could not be fetched or read, as opposed to a token that fails. */
const unreachable = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

/** Checks JWT access tokens against the mapping's JWKS (by `kid`); undefined when none is configured. */
export function jwtVerifier(
  mapping: Mapping,
): ((result: MapResult, now: number) => Promise<MapResult>) | undefined {
  const jwks = mapping.jwt?.jwks;
  if (!jwks) return undefined;
  let keys: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;
  if ("url" in jwks) keys = createRemoteJWKSet(new URL(jwks.url));
  else {
    try {
      keys = createLocalJWKSet(readJsonFile(jwks.file) as JSONWebKeySet);
    } catch (error) {
      throw new MigrateError("mapping_invalid", `jwt.jwks ${jwks.file} ${readFailure(error)}`, {
        file: jwks.file,
      });
    }
  }
  return async (result, now) => {
    // Only a token that is sent is checked: a refresh-only row's expired access token is not migrated.
    if (result.kind !== "payload" || result.refreshOnly || !jwtClaims(result.request.accessToken))
      return result;
    try {
      await jwtVerify(result.request.accessToken!, keys, { currentDate: new Date(now) });
      return result;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // The key set itself could not be had: every row would fail alike, so the run stops instead.
      if (code === undefined || unreachable.has(code))
        throw new MigrateError(
          "issuer_failed",
          `the JWKS cannot be fetched (${code ?? (error as Error).name}): no JWT can be verified; check jwt.jwks`,
          { cause: error },
        );
      return {
        kind: "rejected",
        reason: "jwt_signature_invalid",
        detail: `the JWT does not verify against the JWKS (${code})`,
        key: result.key,
        refreshHash: result.refreshHash,
        probeToken: result.probeToken,
      };
    }
  };
}
