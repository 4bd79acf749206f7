import { isAbsent } from "./fields.js";
import type { ReasonCode, UnkeyedRefusal } from "./types.js";

/** RFC 6750 b64token: what an access or refresh token value may contain. Values are never trimmed. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Less than this left cannot be sent: durations are whole seconds, short of the legacy expiry. */
export const minimumLifeMs = 2000;

/** Longer values are refused: no token type issues them, and a runaway field is not a token. */
const maxTokenLength = 16_384;

type TokenValue = string | null | { reason: ReasonCode; detail: string };

/** A token column's value: the text, null when empty, or why it cannot be a token. */
export function tokenValue(value: unknown, column: string): TokenValue {
  if (isAbsent(value) || value === "") return null;
  if (typeof value !== "string") return { reason: "token_invalid_syntax", detail: `${column} is not text` };
  if (value.length > maxTokenLength) {
    return {
      reason: "token_invalid_syntax",
      detail: `${column} is ${value.length} characters, over ${maxTokenLength}`,
    };
  }
  if (!b64token.test(value)) {
    return {
      reason: "token_invalid_syntax",
      detail: `${column} is not RFC 6750 b64token syntax (length ${value.length})`,
    };
  }
  return value;
}

/** A row that is not sent, and why; keyed by the token values in `extra`, if it has them. */
export function refuse(
  kind: UnkeyedRefusal["kind"],
  reason: ReasonCode,
  detail: string,
  extra: Partial<UnkeyedRefusal> = {},
): UnkeyedRefusal {
  return { kind, reason, detail, ...extra };
}
