import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";
import {
  clientAssertionType,
  lineAudience,
  maxAssertionLifetimeSeconds,
  maxTokenLifetimeSeconds,
} from "../../line/index.js";
import type { LineChannel, LineIssuer } from "./issuer.js";

export type AssertionVerdict =
  | { ok: true; channel: LineChannel; claims: JWTPayload }
  | { ok: false; error: "invalid_request" | "invalid_client"; description: string };

const refuse = (description: string): AssertionVerdict => ({
  ok: false,
  error: "invalid_client",
  description,
});

/**
 * Checks the client assertion of a request's parameters the way LINE documents it, one rule at a time, so each refusal says which
 * rule failed: RS256/JWT/kid header, a registered kid of the channel, the signature, iss = sub, the
 * audience, exp in the next 30 minutes, and (when issuing) token_exp of at most 30 days.
 */
export async function checkAssertion(
  issuer: LineIssuer,
  params: URLSearchParams,
  now: number,
  issuing: boolean,
): Promise<AssertionVerdict> {
  if (params.get("client_assertion_type") !== clientAssertionType) {
    const description = `client_assertion_type must be ${clientAssertionType}`;
    return { ok: false, error: "invalid_request", description };
  }
  const assertion = params.get("client_assertion");
  if (!assertion) return { ok: false, error: "invalid_request", description: "client_assertion is required" };
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    return refuse("client_assertion is not a signed JWT");
  }
  if (header.alg !== "RS256") return refuse(`alg must be RS256; got ${JSON.stringify(header.alg)}`);
  if (header.typ !== "JWT") return refuse(`typ must be JWT; got ${JSON.stringify(header.typ)}`);
  if (typeof header.kid !== "string") return refuse("the header has no kid");
  const channel = typeof claims.iss === "string" ? issuer.channels.get(claims.iss) : undefined;
  if (!channel) return refuse(`iss ${JSON.stringify(claims.iss)} is not a channel ID`);
  const key = channel.keys.get(header.kid);
  if (!key)
    return refuse(`kid ${header.kid} is not an assertion signing key of channel ${channel.channelId}`);
  try {
    await compactVerify(assertion, key, { algorithms: ["RS256"] });
  } catch {
    return refuse(`the signature does not verify with the key of kid ${header.kid}`);
  }
  if (claims.sub !== claims.iss) return refuse("sub must equal iss (both the channel ID)");
  if (claims.aud !== lineAudience)
    return refuse(`aud must be ${lineAudience}; got ${JSON.stringify(claims.aud)}`);
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== "number") return refuse("exp is required");
  if (claims.exp <= seconds)
    return refuse(`the assertion expired at ${new Date(claims.exp * 1000).toISOString()}`);
  if (claims.exp - seconds > maxAssertionLifetimeSeconds)
    return refuse(`exp is ${claims.exp - seconds} s ahead; an assertion lives at most 30 minutes`);
  if (issuing) {
    const tokenExp = claims.token_exp;
    if (typeof tokenExp !== "number" || !Number.isInteger(tokenExp) || tokenExp < 1)
      return refuse("token_exp (the token's lifetime in seconds) is required");
    if (tokenExp > maxTokenLifetimeSeconds)
      return refuse(`token_exp is ${tokenExp} s; a channel access token lives at most 30 days`);
  }
  return { ok: true, channel, claims };
}
