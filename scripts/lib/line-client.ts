// The legacy side of a LINE v2.1 migration, played against the emulator by the demo and the tests:
// register a public key (the Developers Console's step), issue tokens and log them as a client would.
import { appendFileSync } from "node:fs";
import type { JWK } from "jose";
import type { ChannelKey } from "../../src/line/assertion.js";
import {
  issueChannelToken,
  type IssuedChannelToken,
  type IssuerEndpoint,
} from "../../src/line/issuer-client.js";

/** One line of a client's issue log, in the shape the LINE preset reads. */
export interface LoggedIssue {
  channel_id: string;
  issued_at: string;
  response: IssuedChannelToken;
}

/** The emulator issuer's answer to a key registration (the Developers Console's step). */
export async function postPublicKey(
  baseUrl: string,
  channelId: string,
  jwk: unknown,
): Promise<{ status: number; body: { kid?: string; error?: string; error_description?: string } }> {
  const response = await fetch(`${baseUrl}/__emulator/line/channels/${channelId}/public-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(jwk),
  });
  return { status: response.status, body: (await response.json()) as { kid?: string } };
}

/** Registers a public key with the emulator's issuer and returns the kid it assigned. */
export async function registerPublicKey(baseUrl: string, channelId: string, publicJwk: JWK): Promise<string> {
  const { status, body } = await postPublicKey(baseUrl, channelId, publicJwk);
  if (status !== 200 || !body.kid) throw new Error(`key registration refused: ${body.error_description}`);
  return body.kid;
}

/** Issues `count` tokens for the channel and appends each answer to an NDJSON issue log. */
export async function issueAndLog(
  issuer: IssuerEndpoint,
  key: ChannelKey,
  count: number,
  tokenExpSeconds: number,
  logFile: string,
): Promise<LoggedIssue[]> {
  const logged: LoggedIssue[] = [];
  for (let i = 0; i < count; i++) {
    const entry = {
      channel_id: key.channelId,
      issued_at: new Date().toISOString(),
      response: await issueChannelToken(issuer, key, tokenExpSeconds),
    };
    appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
    logged.push(entry);
  }
  return logged;
}
