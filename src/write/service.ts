import { clientGet } from "@authlete/typescript-sdk/funcs/clientGet.js";
import { serviceGet } from "@authlete/typescript-sdk/funcs/serviceGet.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure, toCallFailure } from "./call-failure.js";

export interface ServiceFacts {
  scopes: Set<string>;
  grantTypes: Set<string>;
}

/** The target service's supported scopes and grant types (read-only). */
export async function readService(authlete: AuthleteConnection): Promise<ServiceFacts | { error: string }> {
  const result = await serviceGet(authlete.core, { serviceId: authlete.serviceId });
  if (!result.ok) return { error: describeFailure(toCallFailure(result.error)) };
  return {
    scopes: new Set((result.value.supportedScopes ?? []).map((s) => s.name ?? "")),
    grantTypes: new Set(result.value.supportedGrantTypes ?? []),
  };
}

/** A client's allowed grant types, or null when the service has no such client (read-only). */
export async function readClient(
  authlete: AuthleteConnection,
  clientId: number,
): Promise<Set<string> | null | { error: string }> {
  const result = await clientGet(authlete.core, {
    serviceId: authlete.serviceId,
    clientId: String(clientId),
  });
  if (result.ok) return new Set(result.value.grantTypes ?? []);
  const failure = toCallFailure(result.error);
  if (failure.status === 404 || failure.status === 400 || failure.status === 403) return null;
  return { error: describeFailure(failure) };
}
