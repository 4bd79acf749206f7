// Emulator throughput with keep-alive and no faults: raw undici creates/s and SDK creates/s.
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { Pool } from "undici";
import { connectAuthlete } from "../src/write/authlete-client.js";
import { callsPerSecond } from "./lib/concurrently.js";
import { spawnEmulator } from "./lib/spawn-emulator.js";

const calls = Number(process.env.BENCH_CALLS ?? 20_000);
const concurrency = 64;
const clientId = 26888344961664;

const emulator = await spawnEmulator();
try {
  const pool = new Pool(emulator.baseUrl, { connections: concurrency });
  const raw = await callsPerSecond(calls, concurrency, async (i) => {
    const { statusCode, body } = await pool.request({
      method: "POST",
      path: `/api/${emulator.serviceId}/auth/token/create`,
      headers: { authorization: `Bearer ${emulator.bearer}`, "content-type": "application/json" },
      body: JSON.stringify({
        grantType: "AUTHORIZATION_CODE",
        clientId,
        subject: "bench",
        accessToken: `raw-${i}`,
      }),
    });
    await body.text();
    if (statusCode !== 200) throw new Error(`create answered ${statusCode}`);
  });
  await pool.close();

  const authlete = connectAuthlete({ ...emulator, connections: concurrency, attemptTimeoutMs: 10_000 });
  const sdk = await callsPerSecond(calls, concurrency, async (i) => {
    const result = await tokenManagementCreate(authlete.core, {
      serviceId: emulator.serviceId,
      tokenCreateRequest: {
        grantType: "AUTHORIZATION_CODE",
        clientId,
        subject: "bench",
        accessToken: `sdk-${i}`,
      },
    });
    if (!result.ok) throw new Error(`create failed: ${result.error.name}`);
  });
  await authlete.close();
  const figures = {
    calls,
    concurrency,
    rawUndiciCreatesPerSecond: Math.round(raw),
    sdkCreatesPerSecond: Math.round(sdk),
  };
  console.log(JSON.stringify(figures));
} finally {
  await emulator.stop();
}
