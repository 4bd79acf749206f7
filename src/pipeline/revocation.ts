import type { Ledger } from "../ledger/index.js";
import type { RowRef, Tally } from "../report/index.js";
import type { RevokeResult, WriterHandle } from "../write/index.js";

/** A token this ledger created, as a revocation finds it in Authlete: by its access or refresh token hash. */
export interface RevokedToken {
  key: string;
  identifier: string;
  refreshHash: string | null;
}

export type RevocationReason = "revoked_since_migration" | "deleted_in_source";

const notFoundDetail =
  "Authlete holds neither the migrated access token nor its refresh token (refreshed, swept or deleted there): nothing was revoked, and a token rotated at Authlete may still be live; revoke it by client and subject if it must go";

/**
 * Revokes a token this ledger created that the source has revoked (or dropped) since, and records what
 * Authlete confirmed: revoked, or not found (rejected: nothing was revoked), failed, or not known.
 */
export async function revokeMigrated(
  run: { writer: WriterHandle; ledger: Ledger; runId: number; tally: Tally },
  token: RevokedToken,
  reason: RevocationReason,
  at?: RowRef,
): Promise<void> {
  const result = await run.writer.revoke(token.identifier, token.refreshHash);
  settleRevocation(run, token.key, reason, result, at);
}

function settleRevocation(
  run: { ledger: Ledger; runId: number; tally: Tally },
  key: string,
  reason: RevocationReason,
  result: RevokeResult | null,
  at?: RowRef,
): void {
  if (result === null) return run.tally.settle("pending", "interrupted", at);
  if (result === "failed") return run.tally.settle("failed", "revocation_failed", at);
  if (result === "not_found") {
    // Not a revocation: the migrated token is gone, but a chain rotated at Authlete may live on.
    run.ledger.recordRevocation(run.runId, key, "not_found_in_authlete");
    return run.tally.settle("rejected", "not_found_in_authlete", at && { ...at, detail: notFoundDetail });
  }
  run.ledger.recordRevocation(run.runId, key, reason);
  run.tally.settle("skipped", reason, at);
}

/**
 * Ends one token of a pair this ledger created while the other lives on: the refresh token the source no
 * longer pairs with it, or the access token the source revoked alone. When Authlete did not confirm the
 * new expiry, the writer revoked the whole token instead (recorded as such).
 */
export async function endMigratedOne(
  run: { writer: WriterHandle; ledger: Ledger; runId: number; tally: Tally },
  part: "access" | "refresh",
  token: { key: string; accessHash: string; refreshHash: string | null },
  at: RowRef,
): Promise<void> {
  const result = await run.writer.endOne(part, token.accessHash, token.refreshHash);
  if (result === "ended") {
    if (part === "refresh") run.ledger.recordRefreshEnded(run.runId, token.key);
    else run.ledger.recordAccessEnded(run.runId, token.key);
    return run.tally.settle("skipped", `${part}_ended_since_migration`, at);
  }
  const detail = `Authlete did not confirm the ${part} token's new expiry, so the whole migrated token was revoked (a token ends early, never late)`;
  settleRevocation(
    run,
    token.key,
    "revoked_since_migration",
    result,
    result === "revoked" ? { ...at, detail } : at,
  );
}
