import { tokenManagementDelete } from "@authlete/typescript-sdk/funcs/tokenManagementDelete.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure, toCallFailure } from "./call-failure.js";

export type DeleteResult =
  { kind: "deleted" } | { kind: "not_found" } | { kind: "failed"; detail: string; fatal: boolean };

/** Deletes an access token by its value or its hash (Authlete matches either). */
export async function deleteToken(authlete: AuthleteConnection, identifier: string): Promise<DeleteResult> {
  const result = await tokenManagementDelete(authlete.core, {
    serviceId: authlete.serviceId,
    accessTokenIdentifier: identifier,
  });
  if (result.ok) return { kind: "deleted" };
  const failure = toCallFailure(result.error);
  if (failure.status === 404) return { kind: "not_found" };
  return { kind: "failed", detail: describeFailure(failure), fatal: failure.kind === "unauthorized" };
}
