import { basicCredentials, basicPair, fromOutside, tokenSecret } from "../shared/outside.js";
import { latestInstantMs } from "../shared/numbers.js";
import { retryAfterMs } from "../shared/wire.js";

/** The legacy server's RFC 7662 endpoint and the client that may call it (the secret in memory only). */
export interface LegacyServer {
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

/** What the legacy server says of a token (RFC 7662 members, in the project's words). */
export type LegacyFacts =
  | { active: false }
  | { active: true; subject?: string; clientId?: string; scope?: string; expiresAt?: number }
  /**
   * `refused`: the server did not accept the client's credentials (401/403): every call will fail.
   * `retryAfterMs`: it asked to be called less (429), for this long.
   */
  | { error: string; refused?: boolean; retryAfterMs?: number };

/** An `exp` this tool can hold: seconds up to its latest instant (1e20 or 1e400 is no time). */
const latestExp = latestInstantMs / 1000;

/** An RFC 7662 answer is a few hundred bytes: a server that sends more is not read to the end. */
const maxAnswerBytes = 64 * 1024;

/** The answer's body, or undefined when it is larger than maxAnswerBytes (memory stays bounded). */
async function boundedText(response: Response): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > maxAnswerBytes) return undefined; // leaving the loop cancels the rest of the body
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Asks the legacy server about one token, with its type as the hint (HTTP Basic client authentication,
 * RFC 7662 §2.1). A
 * redirect is never followed (the client secret would go with it); an error never quotes the token.
 */
export async function introspectAtLegacy(
  server: LegacyServer,
  token: string,
  hint: "access_token" | "refresh_token" = "access_token",
): Promise<LegacyFacts> {
  const basic = basicCredentials(server.clientId, server.clientSecret);
  let response: Response;
  try {
    response = await fetch(server.introspectionUrl, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ token, token_type_hint: hint }),
      redirect: "manual",
      signal: AbortSignal.timeout(server.timeoutMs),
    });
  } catch (error) {
    return { error: `the legacy introspection endpoint cannot be reached (${(error as Error).name})` };
  }
  let text: string | undefined;
  try {
    text = await boundedText(response);
  } catch (error) {
    // A body that stalls past the deadline or a connection reset mid-answer: this token's error only.
    return { error: `the legacy introspection endpoint's answer was cut off (${(error as Error).name})` };
  }
  if (text === undefined)
    return { error: `the legacy introspection endpoint answered more than ${maxAnswerBytes} bytes` };
  if (response.status !== 200) {
    // Neither the token nor the client's credentials are shown, in whatever form the server echoes them.
    const secrets = [
      tokenSecret(token),
      { value: server.clientSecret, label: "[the client secret]" },
      ...basicPair(server.clientId, server.clientSecret),
    ];
    return {
      error: `the legacy introspection endpoint answered ${response.status}: ${fromOutside(text, secrets)}`,
      ...(response.status === 401 || response.status === 403 ? { refused: true } : {}),
      ...(response.status === 429 ? { retryAfterMs: retryAfterMs(response.headers) ?? 1000 } : {}),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: "the legacy introspection endpoint answered something that is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { error: "the legacy introspection endpoint answered JSON that is not an object" };
  const answer = parsed as Record<string, unknown>;
  if (answer.active !== true) return { active: false };
  const exp = answer.exp;
  if (exp !== undefined && (typeof exp !== "number" || !Number.isFinite(exp) || exp < 0 || exp > latestExp))
    return {
      error: `the legacy introspection endpoint answered an exp that is no time (${typeof exp === "number" ? "out of range" : `a ${typeof exp}`})`,
    };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    active: true,
    subject: str(answer.sub) ?? str(answer.username),
    clientId: str(answer.client_id),
    scope: str(answer.scope),
    expiresAt: typeof answer.exp === "number" ? answer.exp * 1000 : undefined,
  };
}
