import { AuthleteError, ResultError } from "@authlete/typescript-sdk/models/errors";
import { fromOutside, type Secret } from "../shared/outside.js";
import { retryAfterMs } from "../shared/wire.js";

/** What went wrong with one call, without the SDK error (which carries the request body and headers). */
export interface CallFailure {
  kind:
    | "rate-limited"
    | "unauthorized"
    | "forbidden"
    | "rejected"
    | "server"
    | "network"
    | "timeout"
    | "invalid-response";
  status?: number;
  resultCode?: string;
  resultMessage?: string;
  retryAfterMs?: number;
  /** The body's `action`, e.g. FORBIDDEN or BAD_REQUEST. */
  action?: string;
}

function bodyAction(body: string): string | undefined {
  try {
    const action = (JSON.parse(body) as { action?: unknown }).action;
    return typeof action === "string" ? action : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Converts an SDK error at the boundary. Only status, resultCode, resultMessage and Retry-After are kept:
 * the SDK's error objects hold the request (with the token value) and its headers (with the bearer).
 */
export function toCallFailure(error: unknown): CallFailure {
  if (error instanceof AuthleteError) {
    const status = error.statusCode;
    const base: CallFailure = {
      kind: "server",
      status,
      ...(error instanceof ResultError
        ? { resultCode: error.resultCode, resultMessage: error.resultMessage }
        : {}),
      action: bodyAction(error.body),
    };
    if (error.name === "ResponseValidationError") return { ...base, kind: "invalid-response" };
    if (status === 429) return { ...base, kind: "rate-limited", retryAfterMs: retryAfterMs(error.headers) };
    if (status === 401) return { ...base, kind: "unauthorized" };
    if (status === 403) return { ...base, kind: "forbidden" };
    if (status >= 500) return { ...base, retryAfterMs: retryAfterMs(error.headers) };
    return { ...base, kind: "rejected" };
  }
  const name = error instanceof Error ? error.name : "";
  if (name === "RequestTimeoutError" || name === "RequestAbortedError") return { kind: "timeout" };
  return { kind: "network" };
}

/**
 * One line for humans and the ledger: status and Authlete's own message (text from outside: the `secrets`
 * of the call, e.g. its token, and every credential replaced in any form, escaped, bounded), never a request.
 */
export function describeFailure(f: CallFailure, secrets: readonly Secret[] = []): string {
  const parts = [
    f.kind,
    f.status === undefined ? "" : `HTTP ${f.status}`,
    fromOutside(f.resultMessage ?? f.resultCode ?? "", secrets),
  ];
  return parts.filter(Boolean).join(" ");
}
