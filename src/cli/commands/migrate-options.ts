import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { MigrateConfig } from "../../run/index.js";
import type { SourceFormat } from "../../read/index.js";
import { readOnce, standardInput } from "../../read/index.js";
import { MigrateError } from "../../shared/errors.js";
import { resolveConnection } from "../connection.js";
import { loadCommandMapping } from "../mapping.js";
import { count, positive } from "../option-values.js";
import { parseNow } from "../now.js";

export interface MigrateArgs {
  files: string[];
  mapping: string;
  lineBaseUrl?: string;
  ledger: string;
  dryRun: boolean;
  retryRejected: boolean;
  syncDeletions?: boolean;
  maxRevocations?: number;
  expectRows?: number;
  checkService?: boolean;
  concurrency: number;
  writers?: number;
  rate: number;
  now?: string;
  format?: SourceFormat;
  delimiter?: string;
  baseUrl?: string;
  serviceId?: string;
  bearerFile?: string;
  timeoutMs: number;
  maxAttempts: number;
  graceMs: number;
  giveUpAfter: number;
  maxClockSkew: number;
  maxRecordSize?: number;
  maxDepth?: number;
  maxGzipRatio?: number;
}

/** Calls a run makes on the main thread before its default writer threads start (see write/calls-handover). */
const callsBeforeThreads = 256;

/**
 * Threads that make the SDK calls: by default one per core but the main thread's (at least one), never
 * more than the calls on the wire; 0 makes them on the main thread.
 */
function writerThreads(asked: number | undefined, concurrency: number): number {
  const writers = asked ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(writers) || writers < 0 || writers > 64)
    throw new MigrateError("usage", `--writers must be a whole number from 0 to 64; got ${writers}`, {
      option: "writers",
    });
  return Math.min(writers, concurrency);
}

/** Normalises flags, environment and the mapping file into one frozen run configuration. */
export function buildMigrateConfig(
  args: MigrateArgs,
  env: NodeJS.ProcessEnv,
  warn: (m: string) => void,
): MigrateConfig {
  for (const file of args.files) {
    if (!readOnce(file) && !existsSync(file))
      throw new MigrateError("usage", `source file not found: ${file}`, { file });
  }
  const concurrency = positive("concurrency", args.concurrency, 1024);
  const rate = positive("rate", args.rate, 100_000);
  const writers = writerThreads(args.writers, concurrency);
  const now = parseNow(args.now);
  if (args.delimiter !== undefined && args.delimiter.length !== 1 && args.delimiter !== "\\t") {
    throw new MigrateError(
      "usage",
      `--delimiter must be one character; got ${JSON.stringify(args.delimiter)}`,
      { option: "delimiter" },
    );
  }
  const once = args.files.find(readOnce);
  if (once) {
    if (args.files.length > 1)
      throw new MigrateError(
        "usage",
        `${once === standardInput ? "- (standard input)" : once} must be the only source`,
        { option: "files" },
      );
    warn(
      `reading the dump ${once === standardInput ? "from standard input" : "with the mapping's export query (PG* environment)"}, once: the service's settings are checked but not the dump's clients and scopes, and progress has no total (no pre-scan)${once === standardInput ? "; pipe a gzipped dump through zcat" : ""}`,
    );
  }
  const mapping = loadCommandMapping(args.mapping, warn, args.lineBaseUrl);
  if (!args.dryRun && args.checkService === false)
    warn(
      "WARNING: --no-check-service: the service's settings are not read. tokenExpirationLinked is assumed on, and singleAccessTokenPerSubject, unsupported scopes or clients and default lifetimes go unchecked: Authlete may revoke or shorten tokens without this run knowing.",
    );
  const connection =
    args.dryRun && args.checkService !== true
      ? undefined
      : {
          ...resolveConnection({
            baseUrl: args.baseUrl,
            serviceId: args.serviceId,
            bearerFile: args.bearerFile,
            env,
            warn,
          }),
          connections: concurrency,
          attemptTimeoutMs: positive("timeout-ms", args.timeoutMs),
        };
  return Object.freeze({
    files: args.files,
    mapping,
    mappingHash: createHash("sha256")
      // A preset is named, not read: it is versioned with the tool.
      .update(args.mapping.startsWith("preset:") ? args.mapping : readFileSync(args.mapping))
      .digest("hex"),
    ledgerFile: args.ledger,
    dryRun: args.dryRun,
    retryRejected: args.retryRejected,
    syncDeletions: args.syncDeletions,
    maxRevocations: count("max-revocations", args.maxRevocations),
    expectRows: count("expect-rows", args.expectRows),
    checkService: args.checkService,
    read: {
      format: args.format,
      postgresqlQuery: mapping.exportQuery,
      delimiter: args.delimiter === "\\t" ? "\t" : args.delimiter,
      maxRecordBytes: Math.round(positive("max-record-size", args.maxRecordSize ?? 8, 1024) * 1024 * 1024),
      maxDepth: positive("max-depth", args.maxDepth ?? 64, 10_000),
      maxGzipRatio: positive("max-gzip-ratio", args.maxGzipRatio ?? 100, 1_000_000),
    },
    now,
    connection,
    writer: {
      concurrency,
      writers,
      // Unasked, a short run makes its calls here: the threads pay for their start-up only on a long one.
      threadsAfterCalls: args.writers === undefined ? callsBeforeThreads : undefined,
      rate,
      maxAttempts: positive("max-attempts", args.maxAttempts, 100),
      backoffBaseMs: 250,
      backoffCapMs: 30_000,
      giveUpAfterMs: positive("give-up-after", args.giveUpAfter) * 1000,
      maxClockSkewMs: positive("max-clock-skew", args.maxClockSkew) * 1000,
      breakerThreshold: Math.max(5, concurrency),
    },
    // Live: small batches, so a crash leaves few tokens pending; a dry run only pays for transactions.
    batchSize: args.dryRun ? 1000 : Math.max(16, concurrency * 2),
    maxInFlight: concurrency * 4,
    graceMs: args.graceMs,
    arguments: {
      files: args.files,
      mapping: args.mapping,
      ledger: args.ledger,
      dryRun: args.dryRun,
      retryRejected: args.retryRejected,
      concurrency,
      rate,
      now: args.now,
      format: args.format,
      baseUrl: connection?.baseUrl,
      serviceId: connection?.serviceId,
    },
  });
}
