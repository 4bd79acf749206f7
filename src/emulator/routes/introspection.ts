import { isObject, result, type Reply, type RouteContext } from "../context.js";
import type { StoredToken } from "../types.js";

function challenge(error: string, resultMessage: string): string {
  return `Bearer error="${error}",error_description="${resultMessage}"`;
}

/** An answer that refuses the token: its action, and the challenge a resource server would send. */
function refusal(
  r: { resultCode: string; resultMessage: string },
  action: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN",
  error: string,
  fields: Record<string, unknown> = {},
): Reply {
  return {
    status: 200,
    body: { ...r, ...fields, action, responseContent: challenge(error, r.resultMessage) },
  };
}

/** A token's usable fields as introspection reports them. */
export function describeToken(token: StoredToken, refreshable: boolean) {
  return {
    clientId: token.clientId,
    ...(token.subject === null ? {} : { subject: token.subject }),
    scopes: token.scopes,
    expiresAt: token.accessExpiresAt ?? 0,
    properties: token.properties,
    grantType: token.grantType,
    refreshable,
    ...(token.certificateThumbprint ? { certificateThumbprint: token.certificateThumbprint } : {}),
    ...token.attributes,
  };
}

/** True while the refresh token exists and has not expired. */
export function isRefreshable(token: StoredToken, now: number): boolean {
  return token.refreshExpiresAt !== null && token.refreshExpiresAt > now;
}

/** POST /api/{serviceId}/auth/introspection — every outcome is HTTP 200 with an action. */
export function introspect(ctx: RouteContext, body: unknown): Reply {
  const value = isObject(body) && typeof body.token === "string" ? body.token : "";
  if (!value) {
    return refusal(
      result("A056201", "The request does not contain a token."),
      "BAD_REQUEST",
      "invalid_request",
    );
  }
  const token = ctx.store.byAccessHash(ctx.hash(value));
  if (!token) {
    const absent = { existent: false, usable: false, sufficient: false, refreshable: false };
    return refusal(
      result("A057302", "The access token does not exist."),
      "UNAUTHORIZED",
      "invalid_token",
      absent,
    );
  }
  const now = ctx.now();
  const refreshable = isRefreshable(token, now);
  const base = { ...describeToken(token, refreshable), existent: true };
  if (token.accessExpiresAt !== null && token.accessExpiresAt <= now) {
    // [U] the code for "expired and not refreshable" is unpublished; A065302 stands in for it.
    const r = refreshable
      ? result("A065301", "The access token has expired but it can be refreshed.")
      : result("A065302", "The access token has expired.");
    return refusal(r, "UNAUTHORIZED", "invalid_token", { ...base, usable: false, sufficient: false });
  }
  const wanted = isObject(body) && Array.isArray(body.scopes) ? (body.scopes as unknown[]).map(String) : [];
  const missing = wanted.filter((s) => !token.scopes.includes(s));
  const wrongSubject = isObject(body) && typeof body.subject === "string" && body.subject !== token.subject;
  if (missing.length > 0 || wrongSubject) {
    const r = missing.length
      ? result("A064302", `The access token does not cover the required scopes: ${missing.join(" ")}`)
      : result("A064303", "The subject of the access token does not match.");
    return refusal(r, "FORBIDDEN", "insufficient_scope", { ...base, usable: true, sufficient: false });
  }
  return {
    status: 200,
    body: {
      ...result("A056001", "The access token is valid."),
      ...base,
      action: "OK",
      usable: true,
      sufficient: true,
    },
  };
}
