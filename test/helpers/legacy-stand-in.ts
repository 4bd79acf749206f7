import type { TestContext } from "node:test";
import { startLegacyStandIn, type LegacyToken } from "../../scripts/lib/legacy-stand-in.js";

export { legacyClient, type LegacyToken } from "../../scripts/lib/legacy-stand-in.js";

/** The legacy stand-in (scripts/lib/legacy-stand-in.ts) for one test, stopped with it. */
export async function legacyStandIn(t: TestContext, tokens: Map<string, LegacyToken>) {
  const legacy = await startLegacyStandIn(tokens);
  t.after(legacy.stop);
  return legacy;
}
