import type { Presented } from "./legacy-row.js";
import type { Call, HeldAnswer, Upstream } from "./proxy.js";
import type { LazyOutcome } from "./lazy.js";

/** The Authlete calls the bridge looks into; every other call passes through untouched. */
export type Intercepted =
  "introspection" | "standard" | "refresh" | "revocation" | "revokePair" | "deleteGrant";

const routes: Record<string, Intercepted> = {
  "auth/introspection": "introspection",
  "auth/introspection/standard": "standard",
  "auth/token": "refresh",
  "auth/revocation": "revocation",
  "auth/token/revoke": "revokePair",
};
const apiCall =
  /^\/api\/[^/?]+\/(auth\/(?:introspection(?:\/standard)?|token(?:\/revoke)?|revocation))\/?(?:\?.*)?$/;

/** Deleting a client's authorization or granted scopes for a subject: every token of that pair ends. */
const grantDeletion =
  /^\/api\/(?:[^/?]+\/)?client\/(?:authorization|granted_scopes)\/delete\/([^/?]+)\/([^/?]+)\/?(?:\?.*)?$/;

/** Which intercepted call this is, if it is one (POSTs under /api/{serviceId}/, and grant deletions). */
export function interceptedCall(method: string, path: string): Intercepted | undefined {
  if (method === "DELETE" && grantDeletion.test(path)) return "deleteGrant";
  if (method !== "POST") return undefined;
  const match = apiCall.exec(path);
  return match ? routes[match[1]!] : undefined;
}

/** What an intercepted call needs besides Authlete: the lazy path, the tombstones, the legacy revocation. */
export interface InterceptDeps {
  upstream: Upstream;
  migrate(presented: Presented): Promise<LazyOutcome>;
  revoked(presented: Presented): Promise<void>;
  /** Authlete revoked a (client, subject)'s tokens: none of that pair's legacy tokens is created afterwards. */
  revokedPair(clientId: string, subject: string): void;
  /** Largest answer read whole. */
  answerLimit: number;
}

const json = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** The token a call presents: `token` of an introspection, the form `parameters` of the others. */
function presentedBy(kind: Intercepted, request: Record<string, unknown>): Presented | undefined {
  if (kind === "introspection")
    return typeof request.token === "string" && request.token !== ""
      ? { value: request.token, hint: "access_token" }
      : undefined;
  if (typeof request.parameters !== "string") return undefined;
  const form = new URLSearchParams(request.parameters);
  if (kind === "refresh") {
    const value = form.get("refresh_token");
    return form.get("grant_type") === "refresh_token" && value ? { value, hint: "refresh_token" } : undefined;
  }
  // The standard introspection and the revocation: RFC 7662 / 7009 forms alike.
  const value = form.get("token");
  const hint = form.get("token_type_hint") === "refresh_token" ? "refresh_token" : "access_token";
  return value ? { value, hint } : undefined;
}

/**
 * Whether Authlete's answer says it does not hold the token — the only answer that sends the bridge to the
 * legacy server. Any other answer, one it cannot read, or an unauthenticated caller (no HTTP 200) is
 * returned as it is. The standard introspection says `active: false` alike for a token Authlete never held
 * and one that expired there: Authlete's own introspection, asked as the caller, tells them apart.
 */
async function unknownToAuthlete(
  kind: Intercepted,
  answer: Record<string, unknown>,
  call: Call,
  presented: Presented,
  deps: InterceptDeps,
): Promise<boolean> {
  if (kind === "introspection") return answer.action === "UNAUTHORIZED" && answer.existent === false;
  const content = typeof answer.responseContent === "string" ? json(answer.responseContent) : undefined;
  if (kind === "refresh") return answer.action === "BAD_REQUEST" && content?.error === "invalid_grant";
  if (answer.action !== "OK" || content?.active !== false || presented.hint !== "access_token") return false;
  const path = call.path.replace(/\/standard\/?(\?.*)?$/, "");
  const asked = await deps.upstream.held(
    { ...call, path, body: Buffer.from(JSON.stringify({ token: presented.value })) },
    deps.answerLimit,
  );
  const known = asked?.status === 200 ? json(asked.body.toString("utf8")) : undefined;
  return known?.action === "UNAUTHORIZED" && known.existent === false;
}

/**
 * The action an answer must name for the bridge to look further: an introspection of a token Authlete does
 * not hold is UNAUTHORIZED, a refresh with one BAD_REQUEST. An answer without it is sent on unparsed — most
 * calls name a token Authlete holds. (Were Authlete to escape a letter of it, the token would only be not
 * migrated: Authlete's own answer goes back.)
 */
const mustName: Partial<Record<Intercepted, Buffer>> = {
  introspection: Buffer.from('"UNAUTHORIZED"'),
  refresh: Buffer.from('"BAD_REQUEST"'),
};

/** What an intercepted call came to, for the metrics and the log. */
export interface Intercept {
  answer: HeldAnswer | undefined;
  outcome?: LazyOutcome | "tombstoned";
  presented?: Presented;
  /** A (client, subject) whose tokens Authlete revoked: recorded as a tombstone. */
  pair?: boolean;
}

/**
 * Authlete's revocation by client and subject (`auth/token/revoke` with `clientIdentifier` and `subject`, no
 * token identifier): once Authlete answered 200, that pair is tombstoned. By the client identifier as the
 * caller gave it (an alias is not resolved to the client ID: use the ID).
 */
async function revokePair(
  call: Call & { body: Buffer },
  request: Record<string, unknown> | undefined,
  deps: InterceptDeps,
): Promise<Intercept> {
  const answer = await deps.upstream.held(call, deps.answerLimit);
  const { clientIdentifier: client, subject, accessTokenIdentifier, refreshTokenIdentifier } = request ?? {};
  const byPair = (typeof client === "string" || typeof client === "number") && typeof subject === "string";
  if (!answer || answer.status !== 200 || !byPair || accessTokenIdentifier || refreshTokenIdentifier)
    return { answer };
  deps.revokedPair(String(client), subject);
  return { answer, pair: true };
}

/**
 * A grant deletion (`client/authorization/delete/{clientId}/{subject}`, `client/granted_scopes/delete/…`):
 * once Authlete answered 2xx, that pair is tombstoned as a revocation by client and subject is.
 */
async function deleteGrant(call: Call & { body: Buffer }, deps: InterceptDeps): Promise<Intercept> {
  const answer = await deps.upstream.held(call, deps.answerLimit);
  const [, client, subject] = grantDeletion.exec(call.path)!;
  if (!answer || answer.status < 200 || answer.status > 299) return { answer };
  let pair: [string, string];
  try {
    pair = [decodeURIComponent(client!), decodeURIComponent(subject!)];
  } catch {
    return { answer }; // a path that does not decode names no pair
  }
  deps.revokedPair(...pair);
  return { answer, pair: true };
}

/**
 * One intercepted call: forwarded as it came; when Authlete answers that it does not know the token and the
 * lazy path creates it, forwarded once more, and that answer returned. A revocation Authlete accepted is
 * recorded (the token is never created afterwards) and sent on to the legacy server. What the outcome was is
 * handed back for the metrics and the log.
 */
export async function interceptCall(
  kind: Intercepted,
  call: Call & { body: Buffer },
  deps: InterceptDeps,
): Promise<Intercept> {
  if (kind === "revokePair") return revokePair(call, json(call.body.toString("utf8")), deps);
  if (kind === "deleteGrant") return deleteGrant(call, deps);
  const first = await deps.upstream.held(call, deps.answerLimit);
  if (!first || first.status !== 200) return { answer: first };
  const named = mustName[kind];
  if (named && !first.body.includes(named)) return { answer: first };
  const request = json(call.body.toString("utf8"));
  const presented = request && presentedBy(kind, request);
  if (!presented) return { answer: first };
  const answer = json(first.body.toString("utf8"));
  if (!answer) return { answer: first };
  if (kind === "revocation") {
    if (answer.action !== "OK") return { answer: first };
    await deps.revoked(presented);
    return { answer: first, outcome: "tombstoned", presented };
  }
  if (!(await unknownToAuthlete(kind, answer, call, presented, deps))) return { answer: first };
  const outcome = await deps.migrate(presented);
  // Created, or created meanwhile by another bridge instance (Authlete refused the second create): either
  // way Authlete holds it now, and the caller gets its answer for it.
  const nowHeld =
    outcome.kind === "created" ||
    (outcome.kind === "not_created" && outcome.fate.reason === "exists_in_authlete");
  if (!nowHeld) return { answer: first, outcome, presented };
  const again = await deps.upstream.held(call, deps.answerLimit);
  return { answer: again, outcome, presented };
}
