import type { Ledger } from "../ledger/index.js";
import type { RevokeResult, WriterHandle } from "../write/index.js";
import type { Fate } from "./types.js";

/** A token this ledger created, as a revocation finds it in Authlete: by its access or refresh token hash. */
export interface RevokedToken {
  key: string;
  identifier: string;
  refreshHash: string | null;
}

export type RevocationReason = "revoked_since_migration" | "deleted_in_source";

/** What a revocation works with: the writer that calls Authlete, the ledger that records what it found. */
export interface RevocationContext {
  writer: WriterHandle;
  ledger: Ledger;
  runId: number;
}

const notFoundDetail =
  "Authlete holds neither the migrated access token nor its refresh token (refreshed, swept or deleted there): nothing was revoked, and a token rotated at Authlete may still be live; revoke it by client and subject if it must go";

/**
 * Revokes a token this ledger created that the source has revoked (or dropped) since, and records what
 * Authlete confirmed: revoked, or not found (rejected: nothing was revoked), failed, or not known.
 */
export async function revokeMigrated(
  run: RevocationContext,
  token: RevokedToken,
  reason: RevocationReason,
): Promise<Fate> {
  const result = await run.writer.revoke(token.identifier, token.refreshHash);
  return revocationFate(run, token.key, reason, result);
}

function revocationFate(
  run: Omit<RevocationContext, "writer">,
  key: string,
  reason: RevocationReason,
  result: RevokeResult | null,
): Fate {
  if (result === null) return { state: "pending", reason: "interrupted" };
  if (result === "failed") return { state: "failed", reason: "revocation_failed" };
  if (result === "not_found") {
    // Not a revocation: the migrated token is gone, but a chain rotated at Authlete may live on.
    run.ledger.recordRevocation(run.runId, key, "not_found_in_authlete");
    return { state: "rejected", reason: "not_found_in_authlete", detail: notFoundDetail };
  }
  run.ledger.recordRevocation(run.runId, key, reason);
  return { state: "skipped", reason };
}

/**
 * Ends one token of a pair this ledger created while the other lives on: the refresh token the source no
 * longer pairs with it, or the access token the source revoked alone. When Authlete did not confirm the
 * new expiry, the writer revoked the whole token instead (recorded as such).
 */
export async function endMigratedOne(
  run: RevocationContext,
  part: "access" | "refresh",
  token: { key: string; accessHash: string; refreshHash: string | null },
): Promise<Fate> {
  const result = await run.writer.endOne(part, token.accessHash, token.refreshHash);
  if (result === "ended") {
    if (part === "refresh") run.ledger.recordRefreshEnded(run.runId, token.key);
    else run.ledger.recordAccessEnded(run.runId, token.key);
    return { state: "skipped", reason: `${part}_ended_since_migration` };
  }
  const fate = revocationFate(run, token.key, "revoked_since_migration", result);
  if (result !== "revoked") return fate;
  const detail = `Authlete did not confirm the ${part} token's new expiry, so the whole migrated token was revoked (a token ends early, never late)`;
  return { ...fate, detail };
}
