import { importJWK, SignJWT, type JWK } from "jose";
import { MigrateError } from "../shared/errors.js";
import { lineAudience, maxAssertionLifetimeSeconds, maxTokenLifetimeSeconds } from "./rules.js";

/** What signs a channel's assertions: its id, the private key and the kid LINE gave its public half. */
export interface ChannelKey {
  channelId: string;
  kid: string;
  privateJwk: JWK;
}

export interface AssertionOptions {
  audience?: string;
  /** Epoch ms the assertion is made at. */
  now?: number;
  /** Seconds until the assertion expires; short, because it is a credential while it lives. */
  lifetimeSeconds?: number;
  /** Lifetime asked for the channel access token (issuing only). */
  tokenExpSeconds?: number;
}

/** A client assertion (RFC 7523) for LINE's v2.1 endpoints, within LINE's limits or not at all. */
export async function buildClientAssertion(key: ChannelKey, options: AssertionOptions = {}): Promise<string> {
  const lifetime = options.lifetimeSeconds ?? 5 * 60;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > maxAssertionLifetimeSeconds)
    throw new MigrateError(
      "config_invalid",
      `an assertion lives 1 to ${maxAssertionLifetimeSeconds} s; asked ${lifetime}`,
    );
  const tokenExp = options.tokenExpSeconds;
  if (
    tokenExp !== undefined &&
    (!Number.isInteger(tokenExp) || tokenExp < 1 || tokenExp > maxTokenLifetimeSeconds)
  )
    throw new MigrateError(
      "config_invalid",
      `token_exp is 1 to ${maxTokenLifetimeSeconds} s (30 days); asked ${tokenExp}`,
    );
  if (typeof key.privateJwk.d !== "string")
    throw new MigrateError(
      "config_invalid",
      `channel ${key.channelId}: the key file holds a public key; assertions are signed with the private one`,
    );
  let signingKey: Awaited<ReturnType<typeof importJWK>>;
  try {
    signingKey = await importJWK(key.privateJwk, "RS256");
  } catch (error) {
    throw new MigrateError(
      "config_invalid",
      `channel ${key.channelId}: the private key is not an RS256 key: ${(error as Error).message}`,
    );
  }
  const seconds = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT(tokenExp === undefined ? {} : { token_exp: tokenExp })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
    .setIssuer(key.channelId)
    .setSubject(key.channelId)
    .setAudience(options.audience ?? lineAudience)
    .setExpirationTime(seconds + lifetime)
    .sign(signingKey);
}
