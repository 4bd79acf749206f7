import { introspectionProcess } from "@authlete/typescript-sdk/funcs/introspectionProcess.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure, toCallFailure } from "./call-failure.js";

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
  | { error: string };

/** Introspects one token (read-only). */
export async function inspectToken(authlete: AuthleteConnection, token: string): Promise<TokenFacts> {
  const result = await introspectionProcess(authlete.core, {
    serviceId: authlete.serviceId,
    introspectionRequest: { token },
  });
  if (!result.ok) return { error: describeFailure(toCallFailure(result.error)) };
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
