import { serviceGet } from "@authlete/typescript-sdk/funcs/serviceGet.js";
import { setTimeout as sleep } from "node:timers/promises";
import { backoffMs } from "../shared/backoff.js";
import { MigrateError } from "../shared/errors.js";
import { credentialsRefused } from "./absorb.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure, toCallFailure, type CallFailure } from "./call-failure.js";

const readAttempts = 4;

/**
 * A read-only call before any write, retried on 429 (after its Retry-After), 5xx and network errors.
 * A refused bearer, or a service still failing after the retries, stops the run (exit 3); any other
 * failure (a 403 for a bearer without read rights, a 404) is returned for the caller to judge.
 */
export async function readBeforeWrites<T>(
  call: () => Promise<{ ok: true; value: T } | { ok: false; error: unknown }>,
  { tolerateServerErrors = false } = {},
): Promise<{ ok: true; value: T } | { ok: false; failure: CallFailure }> {
  for (let attempt = 1; ; attempt++) {
    const result = await call();
    if (result.ok) return result;
    const failure = toCallFailure(result.error);
    if (failure.kind === "unauthorized") throw credentialsRefused(failure);
    if (failure.status !== undefined && failure.status >= 300 && failure.status < 400)
      throw new MigrateError(
        "config_invalid",
        `Authlete answered a redirect (HTTP ${failure.status}), which is never followed with the bearer: check AUTHLETE_BASE_URL`,
        { status: failure.status },
      );
    const transient = failure.kind !== "forbidden" && failure.kind !== "rejected";
    if (!transient || (tolerateServerErrors && failure.kind === "server")) return { ok: false, failure };
    if (attempt >= readAttempts) {
      throw new MigrateError(
        "service_unreachable",
        `Authlete cannot be reached or keeps failing (${describeFailure(failure)}); check AUTHLETE_BASE_URL, or rerun later`,
        { status: failure.status },
      );
    }
    await sleep(backoffMs(attempt, { baseMs: 250, capMs: 5000 }, failure.retryAfterMs));
  }
}

/**
 * One read-only call before any row is touched, so bad credentials or an unreachable service stop the
 * run at once instead of producing a failure per row. A 403 (a token without service read access) or a
 * 5xx is not fatal here: the creates will tell, and the writer's breaker judges a failing service.
 */
export async function checkConnection(authlete: AuthleteConnection): Promise<void> {
  await readBeforeWrites(() => serviceGet(authlete.core, { serviceId: authlete.serviceId }), {
    tolerateServerErrors: true,
  });
}
