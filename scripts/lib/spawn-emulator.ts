import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("../../../bin/authlete-migrate.js", import.meta.url));

export interface SpawnedEmulator {
  baseUrl: string;
  serviceId: string;
  bearer: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs `authlete-migrate emulator` in its own process, so it does not share the client's event loop. */
export async function spawnEmulator(args: string[] = [], port = 0): Promise<SpawnedEmulator> {
  const child = spawn(process.execPath, [cliPath, "emulator", "--port", String(port), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  const info = JSON.parse(line) as { baseUrl: string; serviceId: string; bearer: string };
  return {
    ...info,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** The environment the CLI reads its connection from, pointing at this emulator. */
export function emulatorEnv(emulator: SpawnedEmulator): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AUTHLETE_BASE_URL: emulator.baseUrl,
    AUTHLETE_SERVICE_ID: emulator.serviceId,
    AUTHLETE_BEARER: emulator.bearer,
  };
}
