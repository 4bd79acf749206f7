import { printable, withoutJwts } from "../shared/text.js";

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
  | { error: string };

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
  const basic = Buffer.from(
    `${encodeURIComponent(server.clientId)}:${encodeURIComponent(server.clientSecret)}`,
  ).toString("base64");
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
  const text = await boundedText(response);
  if (text === undefined)
    return { error: `the legacy introspection endpoint answered more than ${maxAnswerBytes} bytes` };
  if (response.status !== 200) {
    // Neither the token nor the client secret is shown, should the server echo them.
    const echoed = text
      .replaceAll(token, "[the token]")
      .replaceAll(server.clientSecret, "[the client secret]");
    const body = printable(withoutJwts(echoed), 200);
    return { error: `the legacy introspection endpoint answered ${response.status}: ${body}` };
  }
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { error: "the legacy introspection endpoint answered something that is not JSON" };
  }
  if (answer.active !== true) return { active: false };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    active: true,
    subject: str(answer.sub) ?? str(answer.username),
    clientId: str(answer.client_id),
    scope: str(answer.scope),
    expiresAt: typeof answer.exp === "number" ? answer.exp * 1000 : undefined,
  };
}
