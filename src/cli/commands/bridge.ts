import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { connectionOptions, connectionSettings, readSecretFile, serverUrl } from "../connection.js";
import { legacyOptions, legacyRate, legacyServer } from "../legacy.js";
import { loadCommandMapping } from "../mapping.js";
import { positive } from "../option-values.js";
import { ledgerOption } from "../paths.js";
import { parseInstant } from "../now.js";
import { command } from "../command.js";

/** `authlete-migrate bridge`: in front of Authlete, migrates on first use what the dumps could not carry. */
export const bridgeCommand = command(
  "bridge",
  "Serve in front of Authlete: pass every call through, and migrate on first use a token Authlete does not hold and the legacy server still honours",
  (y) =>
    legacyOptions(connectionOptions(y), 50)
      .option("mapping", { type: "string", demandOption: true })
      .option("ledger", ledgerOption)
      .option("legacy-revocation", {
        type: "string",
        describe:
          "The legacy server's RFC 7009 revocation endpoint: revocations through the bridge go there too",
      })
      .option("listen", {
        type: "string",
        default: "127.0.0.1:8080",
        describe: "Address and port to serve on",
      })
      .option("tls-cert", { type: "string", describe: "PEM certificate file (required off loopback)" })
      .option("tls-key", { type: "string", describe: "PEM private key file (required off loopback)" })
      .option("insecure-listen", {
        type: "boolean",
        default: false,
        describe: "Serve plain HTTP off loopback, on purpose (behind a TLS-terminating proxy)",
      })
      .option("negative-ttl", {
        type: "number",
        default: 600,
        describe: "Seconds a token the legacy server called inactive is not asked about again",
      })
      .option("until", {
        type: "string",
        describe:
          "ISO time the longest legacy token ends: after it nothing is created, the bridge only passes through",
      })
      .option("max-body-bytes", {
        type: "number",
        default: 1 << 20,
        describe: "Largest request body taken",
      })
      .option("grace-ms", {
        type: "number",
        default: 10_000,
        describe: "Time calls in flight get after SIGTERM",
      })
      .option("log-level", {
        choices: ["info", "debug"] as const,
        default: "info" as const,
        describe: "debug: every call passed through is logged too",
      })
      .option("concurrency", { type: "number", default: 16, describe: "Connections to Authlete" }),
  async (argv) => {
    const warn = (m: string) => process.stderr.write(`${m}\n`);
    const tls =
      argv["tls-cert"] && argv["tls-key"]
        ? {
            cert: readFileSync(argv["tls-cert"]),
            key: Buffer.from(readSecretFile(argv["tls-key"], "--tls-key", warn)),
          }
        : undefined;
    // Loaded for this command only: every other command starts without it.
    const { listenAddress, runBridge } = await import("../../bridge/index.js");
    const listen = listenAddress(argv.listen, {
      tls: tls !== undefined,
      insecure: argv["insecure-listen"],
    });
    const concurrency = positive("concurrency", argv.concurrency, 1024);
    const legacy = legacyServer(argv, argv["timeout-ms"]);
    const revocation = argv["legacy-revocation"];
    const from = "the client secret comes from LEGACY_CLIENT_SECRET or --legacy-client-secret-file";
    const stop = new AbortController();
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => stop.abort());
    const summary = await runBridge({
      mapping: loadCommandMapping(argv.mapping, warn),
      mappingHash: argv.mapping.startsWith("preset:")
        ? argv.mapping
        : createHash("sha256").update(readFileSync(argv.mapping)).digest("hex"),
      ledgerFile: argv.ledger,
      connection: connectionSettings(argv, concurrency),
      legacy: revocation
        ? { ...legacy, revocationUrl: serverUrl(revocation, "legacy-revocation", from).href }
        : legacy,
      listen,
      tls,
      legacyRate: legacyRate(argv["legacy-rate"]),
      negativeTtlMs: Math.round(argv["negative-ttl"] * 1000),
      until: parseInstant("until", argv.until),
      maxBodyBytes: positive("max-body-bytes", argv["max-body-bytes"]),
      graceMs: argv["grace-ms"],
      writer: {
        concurrency,
        writers: 0,
        rate: 1000,
        maxAttempts: 5,
        backoffBaseMs: 250,
        backoffCapMs: 5_000,
        giveUpAfterMs: 60_000,
        maxClockSkewMs: 60_000,
        breakerThreshold: Math.max(5, concurrency),
      },
      logLevel: argv["log-level"],
      stop: stop.signal,
      onListening: (address) => warn(`bridge listening on ${address.address}:${address.port}`),
    });
    warn(`bridge stopped: ${JSON.stringify(summary)}`);
    return { exitCode: 0 };
  },
);
