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
  /** Resolves once calls can be made at once (writer threads started, their SDK loaded). */
  ready(): Promise<void>;
  /** Aborts every call on the wire (they fail as timeouts); later calls fail at once. */
  abandon(): void;
  close(): Promise<void>;
}

type Outcome<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;
type SdkCall<N extends CallName> = (
  core: AuthleteConnection["core"],
  serviceId: string,
  request: CallRequests[N],
  options?: RequestOptions,
) => Outcome<CallValues[N]>;

/** Each call's SDK function. */
const sdk: { [N in CallName]: SdkCall<N> } = {
  create: (core, serviceId, tokenCreateRequest, options) =>
    tokenManagementCreate(core, { serviceId, tokenCreateRequest }, options),
  introspect: (core, serviceId, introspectionRequest, options) =>
    introspectionProcess(core, { serviceId, introspectionRequest }, options),
  update: (core, serviceId, tokenUpdateRequest, options) =>
    tokenManagementUpdate(core, { serviceId, tokenUpdateRequest }, options),
  revoke: (core, serviceId, tokenRevokeRequest, options) =>
    tokenManagementRevoke(core, { serviceId, tokenRevokeRequest }, options),
  delete: async (core, serviceId, accessTokenIdentifier, options) => {
    const done = await tokenManagementDelete(core, { serviceId, accessTokenIdentifier }, options);
    return done.ok ? { ok: true, value: null } : done;
  },
};

/** One SDK call by name, its SDK error turned into a CallFailure at the boundary. */
export async function callSdk<N extends CallName>(
  authlete: AuthleteConnection,
  name: N,
  request: CallRequests[N],
  options?: RequestOptions,
): Promise<CallResult<CallValues[N]>> {
  const call = sdk[name] as SdkCall<N>;
  const done = await call(authlete.core, authlete.serviceId, request, options);
  return done.ok ? { ok: true, value: done.value } : { ok: false, failure: toCallFailure(done.error) };
}

/** The calls made on this thread, through the connection's own SDK client. */
export function callsInThread(authlete: AuthleteConnection): TokenCalls {
  return {
    call: (name, request) => callSdk(authlete, name, request),
    ready: () => Promise.resolve(),
    abandon: () => authlete.abandon(),
    close: () => authlete.close(),
  };
}
