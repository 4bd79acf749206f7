import { setTimeout as sleep } from "node:timers/promises";
import { printable, withoutJwts } from "../shared/text.js";
import { backoffMs } from "../shared/backoff.js";
import { MigrateError } from "../shared/errors.js";
import { retryAfterMs } from "../shared/wire.js";
import { buildClientAssertion, type ChannelKey } from "./assertion.js";
import { clientAssertionType, lineAudience } from "./rules.js";

export interface IssuerEndpoint {
  /** `https://api.line.me`, or an emulator on loopback. */
  baseUrl: string;
  audience?: string;
}

/** LINE's answer to an issue request, as a client would log it. */
export interface IssuedChannelToken {
  access_token: string;
  expires_in: number;
  token_type: string;
  key_id: string;
}

const callTimeoutMs = 30_000;
const maxAttempts = 4;
const retryWaitCapMs = 30_000;

/** The key IDs of the channel's valid tokens (GET /oauth2/v2.1/tokens/kid); never the tokens. */
export async function fetchValidKeyIds(issuer: IssuerEndpoint, key: ChannelKey): Promise<string[]> {
  const assertion = await buildClientAssertion(key, { audience: issuer.audience ?? lineAudience });
  const query = new URLSearchParams({
    client_assertion_type: clientAssertionType,
    client_assertion: assertion,
  });
  const body = await call(issuer, key.channelId, `/oauth2/v2.1/tokens/kid?${query}`, { method: "GET" });
  const kids = (body as { kids?: unknown }).kids;
  if (!Array.isArray(kids) || kids.some((k) => typeof k !== "string"))
    throw new MigrateError("issuer_failed", `channel ${key.channelId}: the answer has no "kids" array`);
  return kids as string[];
}

/** Issues a channel access token v2.1 (POST /oauth2/v2.1/token): what the legacy client did. */
export async function issueChannelToken(
  issuer: IssuerEndpoint,
  key: ChannelKey,
  tokenExpSeconds: number,
): Promise<IssuedChannelToken> {
  const assertion = await buildClientAssertion(key, {
    audience: issuer.audience ?? lineAudience,
    tokenExpSeconds,
  });
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_assertion_type: clientAssertionType,
    client_assertion: assertion,
  });
  return (await call(issuer, key.channelId, "/oauth2/v2.1/token", {
    method: "POST",
    body: form,
  })) as IssuedChannelToken;
}

/** Revokes one channel access token v2.1 (POST /oauth2/v2.1/revoke, with the channel secret). */
export async function revokeChannelToken(
  issuer: IssuerEndpoint,
  channel: { channelId: string; channelSecret: string },
  accessToken: string,
): Promise<void> {
  const form = new URLSearchParams({
    client_id: channel.channelId,
    client_secret: channel.channelSecret,
    access_token: accessToken,
  });
  await call(issuer, channel.channelId, "/oauth2/v2.1/revoke", { method: "POST", body: form });
}

/**
 * One call to the issuer. A GET (the key-ID list) is retried on a network failure, 429 or 5xx, waiting
 * Retry-After when given: a blip at LINE should not stop a migration that has not started yet.
 */
async function call(
  issuer: IssuerEndpoint,
  channelId: string,
  path: string,
  init: { method: string; body?: URLSearchParams },
): Promise<unknown> {
  // The path may carry an assertion (a credential while it lives): errors name the route, never the URL.
  const where = `channel ${channelId}: ${path.replace(/\?.*$/, "")}`;
  const attempts = init.method === "GET" ? maxAttempts : 1;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptCall(issuer, where, path, init);
    if (outcome.ok) return outcome.body;
    const { status } = outcome.error;
    const transient = status === undefined || status === 429 || status >= 500;
    if (!transient || attempt >= attempts) throw outcome.error;
    await sleep(
      backoffMs(attempt - 1, { baseMs: 500, capMs: retryWaitCapMs }, outcome.retryAfter, retryWaitCapMs),
    );
  }
}

type Attempt = { ok: true; body: unknown } | { ok: false; error: MigrateError; retryAfter?: number };

async function attemptCall(
  issuer: IssuerEndpoint,
  where: string,
  path: string,
  init: { method: string; body?: URLSearchParams },
): Promise<Attempt> {
  let response: Response;
  try {
    response = await fetch(new URL(path, issuer.baseUrl), {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(callTimeoutMs),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    const why = `${(error as Error).message}${code ? ` (${code})` : ""}`;
    return {
      ok: false,
      error: new MigrateError("issuer_failed", `${where} at ${issuer.baseUrl} cannot be reached: ${why}`, {
        cause: error,
      }),
    };
  }
  if (response.status >= 300 && response.status < 400) {
    return {
      ok: false,
      error: new MigrateError(
        "issuer_failed",
        `${where} answered a redirect (${response.status}); a call carrying a client assertion never follows one: check line.baseUrl`,
        { status: response.status },
      ),
    };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, body: text ? (parseJson(text) ?? {}) : {} };
  const answer = parseJson(text) as { error?: unknown; error_description?: unknown } | undefined;
  // The issuer's words are shown bounded and defused, and without any JWT it echoed (the assertion).
  const raw = answer?.error ? `${String(answer.error)}: ${String(answer.error_description ?? "")}` : text;
  const reason = printable(withoutJwts(raw), 200);
  return {
    ok: false,
    error: new MigrateError("issuer_failed", `${where} answered ${response.status} (${reason})`, {
      status: response.status,
    }),
    retryAfter: retryAfterMs(response.headers),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
