import type { FaultOptions } from "../../emulator/index.js";
import { defaultSeedFile } from "../paths.js";
import { parseNow } from "../now.js";
import { MigrateError } from "../../shared/errors.js";
import { printable } from "../../shared/text.js";
import { command } from "../command.js";

/** `authlete-migrate emulator`: a local Authlete for demos, tests and benchmarks. */
export const emulatorCommand = command(
  "emulator",
  "Run the local Authlete emulator (loopback only) until SIGINT/SIGTERM",
  (y) =>
    y
      .option("port", { type: "number", default: 0, describe: "TCP port on 127.0.0.1 (0 = any free port)" })
      .option("seed", { type: "string", default: defaultSeedFile, describe: "Services and clients (JSON)" })
      .option("store", { type: "string", describe: "SQLite file that keeps tokens across restarts" })
      .option("now", { type: "string", describe: "ISO time the emulator's clock starts at" })
      .option("latency-ms", { type: "number", default: 0 })
      .option("jitter-ms", { type: "number", default: 0 })
      .option("rate-limit", { type: "number", default: 0, describe: "Requests/s admitted; 0 = unlimited" })
      .option("rate-limit-burst", { type: "number", default: 0 })
      .option("rate-limit-variant", {
        choices: ["retry-after", "no-header", "text-body", "503"] as const,
        default: "retry-after" as const,
      })
      .option("error-rate", { type: "number", default: 0, describe: "Probability of 500/502/503" })
      .option("reset-rate", { type: "number", default: 0, describe: "Probability of a connection reset" })
      .option("lost-response-rate", {
        type: "number",
        default: 0,
        describe: "Probability that a write is committed and its response dropped",
      })
      .option("slow-rate", { type: "number", default: 0 })
      .option("slow-ms", { type: "number", default: 0 })
      .option("commit-then-error-rate", {
        type: "number",
        default: 0,
        describe: "Probability that a write is committed and then answered with 500/502/503",
      })
      .option("clock-offset-ms", {
        type: "number",
        default: 0,
        describe: "The emulator's clock ahead (+) of or behind (-) this host's, ms",
      })
      .option("fault-seed", { type: "number", default: 1 })
      .option("json", { type: "boolean", default: true, describe: "Print the start line as JSON" })
      .option("print-env", {
        type: "boolean",
        default: false,
        describe:
          "Print export lines for AUTHLETE_BASE_URL, AUTHLETE_SERVICE_ID and AUTHLETE_BEARER, and the clock",
      }),
  async (argv) => {
    const startAt = parseNow(argv.now);
    const faults: Partial<FaultOptions> = {
      seed: argv["fault-seed"],
      latencyMs: argv["latency-ms"],
      jitterMs: argv["jitter-ms"],
      rateLimit: argv["rate-limit"],
      rateLimitBurst: argv["rate-limit-burst"],
      rateLimitVariant: argv["rate-limit-variant"],
      errorRate: argv["error-rate"],
      resetRate: argv["reset-rate"],
      lostResponseRate: argv["lost-response-rate"],
      slowRate: argv["slow-rate"],
      slowMs: argv["slow-ms"],
      commitThenErrorRate: argv["commit-then-error-rate"],
    };
    // Loaded by this command only: every other command's start-up skipped it (~40 ms).
    const { loadSeed, startEmulator } = await import("../../emulator/index.js");
    const seed = loadSeed(argv.seed);
    const emulator = await startEmulator({
      seed,
      port: argv.port,
      storeFile: argv.store,
      faults,
      startAt,
      // A year either way is already far beyond any real skew; 1e20 is no clock at all.
      clockOffsetMs: clockOffset(argv["clock-offset-ms"]),
    });
    const service = seed.services[0]!;
    const line = {
      baseUrl: emulator.baseUrl,
      serviceId: service.serviceId,
      bearer: service.bearers[0],
      clients: seed.clients
        .filter((c) => c.serviceId === service.serviceId)
        .map((c) => ({
          clientId: c.clientId,
          clientIdAlias: c.clientIdAlias,
          grantTypes: c.grantTypes,
        })),
    };
    process.stdout.write(argv["print-env"] ? exportLines(line, emulator.now()) : `${JSON.stringify(line)}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await emulator.stop();
    return { exitCode: 0 };
  },
);

/** Shell lines a user evaluates to point the CLI at this emulator (an emulator's bearer, never a real one). */
function exportLines(line: { baseUrl: string; serviceId: string; bearer?: string }, now: number): string {
  const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
  return [
    `export AUTHLETE_BASE_URL=${quote(line.baseUrl)}`,
    `export AUTHLETE_SERVICE_ID=${quote(line.serviceId)}`,
    `export AUTHLETE_BEARER=${quote(line.bearer ?? "")}`,
    `# the emulator's clock: ${new Date(now).toISOString()} (--now and --clock-offset-ms move it)`,
    "",
  ].join("\n");
}

const yearMs = 366 * 86_400_000;

function clockOffset(value: number): number {
  if (!Number.isSafeInteger(value) || Math.abs(value) > yearMs)
    throw new MigrateError(
      "usage",
      `--clock-offset-ms must be a whole number of ms within a year either way; got ${printable(String(value), 40)}`,
      { option: "clock-offset-ms" },
    );
  return value;
}
