import { fieldValue, isAbsent } from "./fields.js";
import { refuse } from "./refusal.js";
import type { SourceRow, UnkeyedRefusal, ValidKeyIds } from "./types.js";

/** LINE v2.1: a token whose key ID the issuer no longer lists is revoked (or expired) there. */
export function keyIdRefusal(
  valid: ValidKeyIds,
  fields: SourceRow["fields"],
  channelColumn: string | undefined,
  keys: Partial<UnkeyedRefusal>,
): UnkeyedRefusal | undefined {
  if (!valid.ids) throw new Error("the valid key IDs were not fetched before mapping (rows/key-ids.ts)");
  if (valid.issuer) {
    const channel = channelColumn === undefined ? undefined : fieldValue(fields, channelColumn);
    if (!valid.issuer.channels.has(String(channel)))
      return refuse(
        "rejected",
        "key_id_unverifiable",
        `no signing key is configured for channel ${String(channel)}: its valid key IDs are unknown`,
        { ...keys, column: channelColumn },
      );
  }
  const kid = fieldValue(fields, valid.column);
  if (isAbsent(kid) || kid === "")
    return refuse(
      "rejected",
      "key_id_unverifiable",
      `${valid.column} is empty: the token cannot be checked`,
      {
        ...keys,
        column: valid.column,
      },
    );
  if (valid.ids.has(String(kid))) return undefined;
  return refuse(
    "skipped",
    "revoked_in_source",
    "the source no longer lists the token's key ID as valid",
    keys,
  );
}
