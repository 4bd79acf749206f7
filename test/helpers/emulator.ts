import type { TestContext } from "node:test";
import {
  loadSeed,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../src/emulator/index.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { connectAuthlete, type AuthleteConnection } from "../../src/write/authlete-client.js";
import { repoFile } from "./paths.js";

export const serviceId = "715948317";
export const bearer = "emulator-bearer-7f3c9a1e";
export const webApp = 26888344961664;
export const mobileApp = 26888344961665;
export const billingService = 26888344961666;

/** The shipped default seed, freshly parsed so a test may change it. */
export function defaultSeed(): EmulatorSeed {
  return loadSeed(repoFile("fixtures/emulator/seed.json"));
}

export interface EmulatorFixture {
  emulator: RunningEmulator;
  authlete: AuthleteConnection;
}

/** Starts an emulator on 127.0.0.1:0 and an SDK connection to it; both are stopped when the test ends. */
export async function withEmulator(
  t: TestContext,
  options: Partial<EmulatorOptions> = {},
  attemptTimeoutMs = 5_000,
): Promise<EmulatorFixture> {
  const emulator = await startEmulator({ seed: defaultSeed(), ...options });
  const authlete = connectAuthlete({
    baseUrl: emulator.baseUrl,
    serviceId,
    bearer,
    connections: 8,
    attemptTimeoutMs,
  });
  t.after(async () => {
    await authlete.close();
    await emulator.stop();
  });
  return { emulator, authlete };
}

/** The environment the CLI reads its connection from, pointing at this emulator. */
export function authleteEnv(emulator: RunningEmulator): Record<string, string> {
  return { AUTHLETE_BASE_URL: emulator.baseUrl, AUTHLETE_SERVICE_ID: serviceId, AUTHLETE_BEARER: bearer };
}

/** Every call the emulator has answered, whatever its endpoint. */
export function callsAnswered(emulator: RunningEmulator): number {
  return Object.values(emulator.store.stats().calls).reduce((sum, n) => sum + n, 0);
}
