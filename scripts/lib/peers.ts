// Peers measured in the same run as the tool: a bare undici poster and `xargs -P 32 curl`.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { Pool } from "undici";
import { callsPerSecond } from "./concurrently.js";

const clientId = 26888344961664;
const body = (i: number, tag: string) =>
  JSON.stringify({
    grantType: "AUTHORIZATION_CODE",
    clientId,
    subject: `user${i}`,
    accessToken: `${tag}_${i}_${"p".repeat(30)}`.slice(0, 43),
    accessTokenDuration: 3600,
  });

/** Creates/s of a bare script posting with undici `request` over a keep-alive pool: no SDK, no ledger. */
export async function bareUndici(
  baseUrl: string,
  serviceId: string,
  bearer: string,
  calls: number,
  concurrency: number,
): Promise<number> {
  const pool = new Pool(baseUrl, { connections: concurrency });
  const rate = await callsPerSecond(calls, concurrency, async (i) => {
    const r = await pool.request({
      method: "POST",
      path: `/api/${serviceId}/auth/token/create`,
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: body(i, "bare"),
    });
    await r.body.text();
  });
  await pool.close();
  return rate;
}

/** Creates/s of `xargs -P 32` running curl once per row, as a migration engineer's shell loop would. */
export async function xargsCurl(
  baseUrl: string,
  serviceId: string,
  bearer: string,
  calls: number,
): Promise<number> {
  const lines = Array.from({ length: calls }, (_, i) => body(i, "curl")).join("\n") + "\n";
  const started = performance.now();
  const child = spawn(
    "sh",
    [
      "-c",
      `xargs -d '\\n' -P 32 -I{} curl -s -o /dev/null -X POST -H 'Authorization: Bearer ${bearer}' -H 'Content-Type: application/json' --data '{}' ${baseUrl}/api/${serviceId}/auth/token/create`,
    ],
    { stdio: ["pipe", "ignore", "inherit"] },
  );
  child.stdin.end(lines);
  await once(child, "close");
  return calls / ((performance.now() - started) / 1000);
}
