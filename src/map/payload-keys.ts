import { tokenHash } from "../shared/hash.js";
import type { MapResult, Payload, UnkeyedResult } from "./types.js";

/**
 * The ledger keys of a payload: the hash of its key token, and of the refresh token it sends (none when
 * it sends none). The one rule for them, wherever a payload is keyed.
 */
export function payloadKeys(
  keyToken: string,
  sentRefreshToken: string | undefined,
): Pick<Payload, "key" | "refreshHash"> {
  return {
    key: tokenHash(keyToken),
    refreshHash: sentRefreshToken === undefined ? null : tokenHash(sentRefreshToken),
  };
}

/** A result with its ledger keys; the values they hash are not kept on it. */
export function keyResult(result: UnkeyedResult): MapResult {
  if (result.kind === "payload") {
    const { keyToken, ...payload } = result;
    return { ...payload, ...payloadKeys(keyToken, payload.request.refreshToken) };
  }
  // A refusal is keyed by its probe token (the access token, or the probe of a row without one).
  const { refreshKeyToken, ...refusal } = result;
  const key = refusal.probeToken === undefined ? null : tokenHash(refusal.probeToken);
  return { ...refusal, key, refreshHash: refreshKeyToken === undefined ? null : tokenHash(refreshKeyToken) };
}
