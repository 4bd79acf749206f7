import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure } from "./call-failure.js";
import { callSdk } from "./token-calls.js";

export type DeleteResult =
  { kind: "deleted" } | { kind: "not_found" } | { kind: "failed"; detail: string; fatal: boolean };

/** Deletes an access token by its value or its hash (Authlete matches either). */
export async function deleteToken(authlete: AuthleteConnection, identifier: string): Promise<DeleteResult> {
  const result = await callSdk(authlete, "delete", identifier);
  if (result.ok) return { kind: "deleted" };
  const { failure } = result;
  if (failure.status === 404) return { kind: "not_found" };
  return { kind: "failed", detail: describeFailure(failure), fatal: failure.kind === "unauthorized" };
}
