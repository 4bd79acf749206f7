import { introspectionProcess } from "@authlete/typescript-sdk/funcs/introspectionProcess.js";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { tokenManagementDelete } from "@authlete/typescript-sdk/funcs/tokenManagementDelete.js";
import { tokenManagementRevoke } from "@authlete/typescript-sdk/funcs/tokenManagementRevoke.js";
import { tokenManagementUpdate } from "@authlete/typescript-sdk/funcs/tokenManagementUpdate.js";
import type {
  IntrospectionRequest,
  IntrospectionResponse,
  TokenCreateRequest,
  TokenCreateResponse,
  TokenRevokeRequest,
  TokenRevokeResponse,
  TokenUpdateRequest,
  TokenUpdateResponse,
} from "@authlete/typescript-sdk/models";
import type { RequestOptions } from "@authlete/typescript-sdk/lib/sdks.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { toCallFailure, type CallFailure } from "./call-failure.js";

/** One call's answer as the writer sees it: the SDK's value, or what went wrong (never the SDK's error). */
export type CallResult<T> = { ok: true; value: T } | { ok: false; failure: CallFailure };

/** What each call sends: plain data, so a call can be made on another thread. */
export interface CallRequests {
  create: TokenCreateRequest;
  introspect: IntrospectionRequest;
  update: TokenUpdateRequest;
  revoke: TokenRevokeRequest;
  /** The access token (or its hash) to delete. */
  delete: string;
}

export interface CallValues {
  create: TokenCreateResponse;
  introspect: IntrospectionResponse;
  update: TokenUpdateResponse;
  revoke: TokenRevokeResponse;
  delete: null;
}

export type CallName = keyof CallRequests;

/**
 * The writer's calls to Authlete, one seam: made on this thread through its SDK client, or handed to a
 * pool of writer threads (write/writer-pool.ts) while pacing, the breaker and the ledger stay here.
 */
export interface TokenCalls {
  call<N extends CallName>(name: N, request: CallRequests[N]): Promise<CallResult<CallValues[N]>>;
  /** Aborts every call on the wire (they fail as timeouts); later calls fail at once. */
  abandon(): void;
  close(): Promise<void>;
}

type Outcome<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

/** One SDK call by name, its SDK error turned into a CallFailure at the boundary. */
export async function callSdk<N extends CallName>(
  authlete: AuthleteConnection,
  name: N,
  request: CallRequests[N],
  options?: RequestOptions,
): Promise<CallResult<CallValues[N]>> {
  const { core, serviceId } = authlete;
  let result: Outcome<unknown>;
  if (name === "create")
    result = tokenManagementCreate(
      core,
      { serviceId, tokenCreateRequest: request as TokenCreateRequest },
      options,
    );
  else if (name === "introspect")
    result = introspectionProcess(
      core,
      { serviceId, introspectionRequest: request as IntrospectionRequest },
      options,
    );
  else if (name === "update")
    result = tokenManagementUpdate(
      core,
      { serviceId, tokenUpdateRequest: request as TokenUpdateRequest },
      options,
    );
  else if (name === "revoke")
    result = tokenManagementRevoke(
      core,
      { serviceId, tokenRevokeRequest: request as TokenRevokeRequest },
      options,
    );
  else
    result = tokenManagementDelete(
      core,
      { serviceId, accessTokenIdentifier: request as string },
      options,
    ).then((r) => (r.ok ? { ok: true, value: null } : r));
  const done = await result;
  return done.ok
    ? { ok: true, value: done.value as CallValues[N] }
    : { ok: false, failure: toCallFailure(done.error) };
}

/** The calls made on this thread, through the connection's own SDK client. */
export function callsInThread(authlete: AuthleteConnection): TokenCalls {
  return {
    call: (name, request) => callSdk(authlete, name, request),
    abandon: () => authlete.abandon(),
    close: () => authlete.close(),
  };
}
