import { introspectionProcess } from "@authlete/typescript-sdk/funcs/introspectionProcess.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { tokenSecret } from "../shared/outside.js";
import { describeFailure, toCallFailure, type CallFailure } from "./call-failure.js";

/** What Authlete says of a token, as verify compares it with the legacy row. */
export type TokenFacts =
  | { existent: false }
  | {
      existent: true;
      clientId?: number;
      subject?: string;
      scopes: string[];
      expiresAt?: number;
      refreshable: boolean;
    }
  /** `failure`: how the call failed, so a check can stop on what will fail for every token. */
  | { error: string; failure?: CallFailure["kind"] };

/** Introspects one token (read-only). */
export async function inspectToken(authlete: AuthleteConnection, token: string): Promise<TokenFacts> {
  const result = await introspectionProcess(authlete.core, {
    serviceId: authlete.serviceId,
    introspectionRequest: { token },
  });
  if (!result.ok) {
    const failure = toCallFailure(result.error);
    return { error: describeFailure(failure, [tokenSecret(token)]), failure: failure.kind };
  }
  const r = result.value;
  if (!r.existent) return { existent: false };
  return {
    existent: true,
    clientId: r.clientId,
    subject: r.subject,
    scopes: r.scopes ?? [],
    expiresAt: r.expiresAt,
    refreshable: r.refreshable === true,
  };
}
