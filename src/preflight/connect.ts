import type { ReadOptions } from "../read/index.js";
import { MigrateError } from "../shared/errors.js";
import type { AuthleteClock, ConnectionSettings, WriterHandle, WriterOptions } from "../write/index.js";
import { checkService, type ServiceCheck, type ServiceFinding } from "./service-check.js";
import type { ServiceUsage } from "./service-usage.js";
import type { Mapping } from "../map/index.js";

/** What the service check and the writer need of a run's settings. */
export interface PreflightConfig {
  files: readonly string[];
  mapping: Mapping;
  dryRun: boolean;
  /** True: strict check; false: opted out; absent: a live run checks. */
  checkService?: boolean;
  /** Absent: no service to talk to (a dry run without one). */
  connection?: ConnectionSettings;
  writer: Omit<WriterOptions, "clock">;
}

/** What a run learnt from the service before its first row, and the writer of a live run. */
export interface ServiceSide {
  check?: ServiceCheck;
  authleteClock?: AuthleteClock;
  writer?: WriterHandle;
}

/**
 * Findings about some rows only: Authlete refuses those rows one by one and each is recorded as
 * rejected, so they stop a live run only when --check-service asks for the strict check.
 */
const rowLevel = new Set<ServiceFinding["code"]>([
  "scope_not_supported",
  "client_not_in_service",
  "grant_type_not_allowed",
]);

/** A finding that stops a live run before it starts (a row-level one does only under --check-service). */
export function blocksLiveRun(f: ServiceFinding, strict: boolean): boolean {
  return f.severity === "error" && (strict || !rowLevel.has(f.code));
}

function refuseIfNotReady(
  config: PreflightConfig,
  check: ServiceCheck | undefined,
  clock: AuthleteClock,
): void {
  const blocking = check?.findings.filter((f) => blocksLiveRun(f, config.checkService === true)) ?? [];
  if (blocking.length > 0) {
    throw new MigrateError(
      "config_invalid",
      `the service is not ready for this dump: ${blocking.map((f) => f.detail).join("; ")}`,
    );
  }
  if (clock.leastSkewMs > config.writer.maxClockSkewMs) {
    const { offsetMs } = clock.offset;
    throw new MigrateError(
      "clock_skew",
      `Authlete's clock is about ${Math.round(offsetMs / 1000)} s off this host's, beyond --max-clock-skew ${config.writer.maxClockSkewMs / 1000} s; fix the host's clock or raise the limit`,
    );
  }
}

/**
 * Talks to the service before any row is touched: one read-only call (bad credentials or an
 * unreachable service stop the run; its Date header gives a first reading of Authlete's clock), the
 * service check (always for a live run, unless opted out: the service's settings change what a create
 * does), and for a live run the writer, adapted to those settings.
 */
export async function connectService(
  config: PreflightConfig,
  read: ReadOptions,
  clock: () => number,
  knownUsage?: ServiceUsage,
): Promise<ServiceSide> {
  if (!config.connection) return {};
  // Loaded only when needed: the SDK costs ~0.4 s and ~40 MB a plain dry run does not need.
  const { AuthleteClock, checkConnection, connectAuthlete, createWriter } = await import("../write/index.js");
  const authleteClock = new AuthleteClock(clock);
  const authlete = connectAuthlete({ ...config.connection, clock: authleteClock });
  try {
    const wanted = config.checkService === true || (!config.dryRun && config.checkService !== false);
    // The service check's own reads stop the run on a refused bearer or an unreachable service.
    let check: ServiceCheck | undefined;
    if (wanted) check = await checkService(authlete, config.files, config.mapping, read, clock(), knownUsage);
    else await checkConnection(authlete);
    if (config.dryRun) {
      await authlete.close();
      return { check: check, authleteClock };
    }
    refuseIfNotReady(config, check, authleteClock);
    // Unread settings are taken at their most demanding: an access token linked to its refresh token.
    const rules = check?.rules ?? { expirationLinked: true };
    return {
      check: check,
      authleteClock,
      writer: createWriter(authlete, { ...config.writer, clock, authleteClock, rules }),
    };
  } catch (error) {
    await authlete.close();
    throw error;
  }
}
