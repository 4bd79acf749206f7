import type { Payload } from "../map/index.js";
import { absorb } from "./absorb.js";
import type { TokenWriterContext } from "./context.js";

export type Probe = "absent" | "matches" | "differs" | "unknown";

/** Asks Authlete whether the token exists, and whether it is the one this row describes. */
export async function probe(ctx: TokenWriterContext, token: string, payload: Payload | null): Promise<Probe> {
  for (let attempt = 0; attempt < ctx.options.maxAttempts; attempt++) {
    if (ctx.aborted() || !(await ctx.pacer.acquire())) return "unknown";
    ctx.stats.calls++;
    ctx.stats.introspections++;
    const result = await ctx.calls.call("introspect", { token });
    if (result.ok) {
      ctx.health.success();
      ctx.pacer.speedUp();
      const r = result.value;
      if (!r.existent) return "absent";
      if (!payload) return "matches";
      const sameClient = r.clientId === payload.request.clientId;
      const sameSubject =
        payload.request.grantType === "CLIENT_CREDENTIALS" ||
        (r.subject ?? undefined) === payload.request.subject;
      return sameClient && sameSubject ? "matches" : "differs";
    }
    if (!(await absorb(ctx, result.failure, attempt))) return "unknown";
    ctx.stats.retries++;
  }
  return "unknown";
}
