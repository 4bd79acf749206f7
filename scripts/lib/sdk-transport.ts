// The SDK's default transport (global fetch) against the keep-alive undici fetcher behind its HTTPClient seam.
import { AuthleteCore } from "@authlete/typescript-sdk/core.js";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { connectAuthlete } from "../../src/write/authlete-client.js";
import { callsPerSecond } from "./concurrently.js";

async function createsPerSecond(
  core: AuthleteCore,
  serviceId: string,
  calls: number,
  concurrency: number,
  tag: string,
) {
  return callsPerSecond(calls, concurrency, async (i) => {
    const r = await tokenManagementCreate(core, {
      serviceId,
      tokenCreateRequest: {
        grantType: "AUTHORIZATION_CODE",
        clientId: 26888344961664,
        subject: "bench",
        accessToken: `${tag}${i}_${"t".repeat(30)}`.slice(0, 43),
        accessTokenDuration: 3600,
      },
    });
    if (!r.ok) throw new Error(`create failed: ${r.error.name}`);
  });
}

/** Creates/s through the SDK: its default global-fetch transport, then the project's fetcher. */
export async function compareTransports(
  baseUrl: string,
  serviceId: string,
  bearer: string,
  calls: number,
  concurrency: number,
) {
  const before = await createsPerSecond(
    new AuthleteCore({ bearer, serverURL: baseUrl }),
    serviceId,
    calls,
    concurrency,
    "dflt",
  );
  const connection = connectAuthlete({
    baseUrl,
    serviceId,
    bearer,
    connections: concurrency,
    attemptTimeoutMs: 30_000,
  });
  const after = await createsPerSecond(connection.core, serviceId, calls, concurrency, "kapf");
  await connection.close();
  return { before, after };
}
