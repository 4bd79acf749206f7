import { importJWK, type JWK } from "jose";
import { publicKeyProblem } from "../../line/index.js";
import type { Reply } from "../context.js";
import { checkAssertion } from "./assertion-check.js";
import { newChannelTokenValue, type LineIssuer } from "./issuer.js";

export interface LineRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description },
});

/** The LINE-style issuer's routes; undefined when the path is not one of them. */
export async function routeLineCall(
  issuer: LineIssuer,
  request: LineRequest,
  now: number,
  hash: (value: string) => string,
): Promise<Reply | undefined> {
  const registration = /^\/__emulator\/line\/channels\/([^/]+)\/public-keys$/.exec(request.path);
  if (registration && request.method === "POST") return registerKey(issuer, registration[1]!, request.body);
  const key = `${request.method} ${request.path}`;
  if (key === "GET /oauth2/v2.1/tokens/kid") return listKeyIds(issuer, request.query, now);
  if (!key.startsWith("POST /oauth2/v2.1/")) return undefined;
  if (!request.contentType.startsWith("application/x-www-form-urlencoded"))
    return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
  const form = new URLSearchParams(request.body);
  if (key === "POST /oauth2/v2.1/token") return issueToken(issuer, form, now, hash);
  if (key === "POST /oauth2/v2.1/revoke") return revokeToken(issuer, form, now, hash);
  return undefined;
}

/** The console's "Register a public key": LINE checks the key and assigns its kid. */
async function registerKey(issuer: LineIssuer, channelId: string, body: string): Promise<Reply> {
  const channel = issuer.channels.get(decodeURIComponent(channelId));
  if (!channel) return oauthError(404, "not_found", `no channel ${channelId}`);
  let jwk: unknown;
  try {
    jwk = JSON.parse(body);
  } catch {
    return oauthError(400, "invalid_key", "the body is not a JSON Web Key");
  }
  const problem = publicKeyProblem(jwk);
  if (problem) return oauthError(400, "invalid_key", problem);
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK(jwk as JWK, "RS256");
  } catch (error) {
    return oauthError(400, "invalid_key", `not a usable RSA public key: ${(error as Error).message}`);
  }
  if (key instanceof Uint8Array) return oauthError(400, "invalid_key", "not an RSA public key");
  return { status: 200, body: { kid: issuer.registerKey(channel, key) } };
}

async function issueToken(
  issuer: LineIssuer,
  form: URLSearchParams,
  now: number,
  hash: (value: string) => string,
): Promise<Reply> {
  if (form.get("grant_type") !== "client_credentials")
    return oauthError(400, "unsupported_grant_type", "grant_type must be client_credentials");
  const verdict = await checkAssertion(issuer, form, now, true);
  if (!verdict.ok) return oauthError(400, verdict.error, verdict.description);
  const lifetime = verdict.claims.token_exp as number;
  const value = newChannelTokenValue();
  const token = issuer.issue(verdict.channel, hash(value), lifetime, now);
  return {
    status: 200,
    body: { access_token: value, expires_in: lifetime, token_type: "Bearer", key_id: token.keyId },
  };
}

async function listKeyIds(issuer: LineIssuer, query: URLSearchParams, now: number): Promise<Reply> {
  const verdict = await checkAssertion(issuer, query, now, false);
  if (!verdict.ok) return oauthError(400, verdict.error, verdict.description);
  return { status: 200, body: { kids: issuer.validTokens(verdict.channel, now).map((t) => t.keyId) } };
}

/** LINE answers 200 for a token it does not know; only a wrong channel or secret is an error. */
function revokeToken(
  issuer: LineIssuer,
  form: URLSearchParams,
  now: number,
  hash: (value: string) => string,
): Reply {
  const channel = issuer.channels.get(form.get("client_id") ?? "");
  if (!channel || form.get("client_secret") !== channel.channelSecret)
    return oauthError(400, "invalid_client", "client_id or client_secret is wrong");
  const value = form.get("access_token");
  if (!value) return oauthError(400, "invalid_request", "access_token is required");
  const target = hash(value);
  for (const token of issuer.validTokens(channel, now)) if (token.hash === target) token.revoked = true;
  return { status: 200 };
}
