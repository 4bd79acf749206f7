import { serviceGet } from "@authlete/typescript-sdk/funcs/serviceGet.js";
import { MigrateError } from "../shared/errors.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure, toCallFailure } from "./call-failure.js";

/**
 * One read-only call before any row is touched, so bad credentials or an unreachable service stop the
 * run at once instead of producing a failure per row. A 403 (a token without service read access) is
 * not fatal here: the creates will tell.
 */
export async function checkConnection(authlete: AuthleteConnection): Promise<void> {
  const result = await serviceGet(authlete.core, { serviceId: authlete.serviceId });
  if (result.ok) return;
  const failure = toCallFailure(result.error);
  if (failure.kind === "unauthorized") {
    throw new MigrateError(
      "authentication_failed",
      `Authlete refused the credentials (${describeFailure(failure)}); check AUTHLETE_BEARER and the service ID`,
      { status: failure.status, resultCode: failure.resultCode },
    );
  }
  if (failure.kind === "network" || failure.kind === "timeout") {
    throw new MigrateError(
      "service_unreachable",
      `Authlete cannot be reached (${failure.kind}); check AUTHLETE_BASE_URL`,
    );
  }
}
