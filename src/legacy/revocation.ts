import { basicCredentials, basicPair, fromOutside, tokenSecret } from "../shared/outside.js";
import type { LegacyServer } from "./introspection.js";

/**
 * Sends a revocation on to the legacy server (RFC 7009, HTTP Basic client authentication): a token revoked
 * through the bridge is revoked there too, while the legacy server still serves. The answer's body is not
 * read beyond its status; an error never quotes the token or the client's credentials.
 */
export async function revokeAtLegacy(
  server: LegacyServer & { revocationUrl: string },
  token: string,
  hint: "access_token" | "refresh_token",
): Promise<{ revoked: true } | { error: string }> {
  try {
    const response = await fetch(server.revocationUrl, {
      method: "POST",
      headers: {
        authorization: `Basic ${basicCredentials(server.clientId, server.clientSecret)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ token, token_type_hint: hint }),
      redirect: "manual",
      signal: AbortSignal.timeout(server.timeoutMs),
    });
    await response.body?.cancel();
    // RFC 7009 §2.2: 200 whether the token was revoked or was not valid.
    if (response.status === 200) return { revoked: true };
    const secrets = [tokenSecret(token), ...basicPair(server.clientId, server.clientSecret)];
    return { error: fromOutside(`the legacy revocation endpoint answered ${response.status}`, secrets) };
  } catch (error) {
    return { error: `the legacy revocation endpoint cannot be reached (${(error as Error).name})` };
  }
}
