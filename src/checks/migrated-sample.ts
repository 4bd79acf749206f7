import pLimit from "p-limit";
import { withLedger, withRun, type Ledger } from "../ledger/index.js";
import { MigrateError } from "../shared/errors.js";
import { fromOutside, tokenSecret } from "../shared/outside.js";
import type { Mapping, Payload } from "../map/index.js";
import type { ReadOptions } from "../read/index.js";
import { mappedRows, withValidKeyIds } from "../rows/index.js";
import type { AuthleteConnection, ConnectionSettings, TokenFacts } from "../write/index.js";

/** What a check of migrated tokens (verify, compare) works on. */
export interface MigratedCheck {
  files: readonly string[];
  mapping: Mapping;
  read: ReadOptions;
  ledgerFile: string;
  connection: ConnectionSettings;
  /** Check this many tokens drawn at random; undefined = all. */
  sample?: number;
  now?: number;
  concurrency: number;
  random?: () => number;
}

/** One difference a check found, located and fingerprinted (never the value). */
export interface MismatchRow<Kind extends string> {
  at: string;
  fingerprint: string;
  kind: Kind;
  detail: string;
}

/** A migrated token as a check picks it: its payload (values in memory only) and the row it came from. */
export interface MigratedToken {
  payload: Payload;
  /** file:line of its first row in the sources. */
  at: string;
}

/**
 * The tokens this ledger created that the sources hold, each once (at its first row), drawn at random
 * when `sample` is given (reservoir sampling: one pass, bounded memory), else all of them.
 */
export async function sampleMigrated(
  source: { files: readonly string[]; read: ReadOptions; mapping: Mapping; now: number },
  ledger: Ledger,
  sample: number | undefined,
  random: () => number,
): Promise<{ migrated: number; chosen: MigratedToken[] }> {
  const chosen: MigratedToken[] = [];
  let migrated = 0;
  for await (const { row, result } of mappedRows(source)) {
    if (result.kind !== "payload" || ledger.stateOf(result.key) !== "created") continue;
    // A token repeated in the sources is one token: counted and checked at its first row.
    if (!ledger.firstSighting(result.key)) continue;
    migrated++;
    const picked = { payload: result, at: `${row.file}:${row.line ?? row.rowNo}` };
    if (sample === undefined || chosen.length < sample) chosen.push(picked);
    else {
      const slot = Math.floor(random() * migrated);
      if (slot < sample) chosen[slot] = picked;
    }
  }
  return { migrated, chosen };
}

const mismatchRowsKept = 100;

/** What verify and compare count: matches, differences by kind, and the first differences located. */
export interface CheckTally<Kind extends string> {
  runId: number;
  /** Tokens this ledger created that the sources hold, each counted once however many rows repeat it. */
  migrated: number;
  matched: number;
  mismatches: Partial<Record<Kind, number>>;
  /** The first differences, each with its row, a fingerprint (never the value), the field and both values. */
  mismatchRows: MismatchRow<Kind>[];
}

/** Counts one token's differences (none = a match) and records the verdict in the ledger. */
function recordFindings<Kind extends string>(
  tally: CheckTally<Kind>,
  check: { ledger: Ledger; runId: number },
  token: MigratedToken,
  found: readonly { kind: Kind; detail: string }[],
): void {
  // The seam every verdict passes: a detail quotes servers, so the token is cleaned out in any form.
  const { probeToken, request } = token.payload;
  const secrets = [probeToken, request.accessToken, request.refreshToken]
    .filter((v): v is string => typeof v === "string")
    .map(tokenSecret);
  const safe = found.map((f) => ({ ...f, detail: fromOutside(f.detail, secrets, 400) }));
  if (safe.length === 0) tally.matched++;
  for (const f of safe) {
    tally.mismatches[f.kind] = (tally.mismatches[f.kind] ?? 0) + 1;
    if (tally.mismatchRows.length < mismatchRowsKept)
      tally.mismatchRows.push({ at: token.at, fingerprint: `sha256:${token.payload.key.slice(0, 8)}`, ...f });
  }
  const verdict = safe.length === 0 ? "match" : safe.map((f) => f.kind).join(",");
  check.ledger.recordVerification(
    check.runId,
    token.payload.key,
    verdict,
    safe.map((f) => f.detail).join("; ") || null,
  );
}

/** What one check of migrated tokens runs against and counts into. */
export interface EachToken<Kind extends string> {
  chosen: readonly MigratedToken[];
  concurrency: number;
  authlete: AuthleteConnection;
  ledger: Ledger;
  runId: number;
  tally: CheckTally<Kind>;
  /** Called once when the run halts (to stop what else the check paces). */
  onHalt?: () => void;
}

/**
 * Checks every chosen token, `concurrency` at a time: what Authlete holds is asked first, and `check`
 * compares it (undefined: not compared); the differences are counted and recorded. An answer that will
 * be the same for every token (see `authleteStops`), or a check that calls `halt`, ends the run: no token
 * not yet started is checked, and the error is thrown once the calls in flight are over. The Authlete
 * connection is closed after.
 */
export async function checkEach<Kind extends string>(
  run: EachToken<Kind>,
  check: (
    token: MigratedToken,
    ours: TokenFacts,
    halt: (error: Error) => void,
  ) => Promise<readonly { kind: Kind; detail: string }[] | undefined>,
  skip?: (token: MigratedToken) => boolean,
): Promise<void> {
  const { inspectToken } = await import("../write/index.js");
  const limit = pLimit(run.concurrency);
  const stops = authleteStops();
  let halted: Error | undefined;
  const halt = (error: Error) => {
    if (halted) return;
    halted = error;
    run.onHalt?.();
  };
  const one = async (token: MigratedToken) => {
    if (halted || skip?.(token)) return;
    const ours = await inspectToken(run.authlete, token.payload.probeToken);
    const stop = stops(ours);
    if (stop) return halt(stop);
    const found = await check(token, ours, halt);
    if (found) recordFindings(run.tally, run, token, found);
  };
  try {
    await Promise.all(run.chosen.map((token) => limit(() => one(token))));
    if (halted) throw halted;
  } finally {
    await run.authlete.close();
  }
}

/**
 * Watches a check's Authlete answers for one that will be the same for every token: its credentials
 * refused (at any time), or no service at all (a network failure before Authlete has answered once; after
 * that, a failed call is that token's error, not the end of the run).
 */
function authleteStops(): (facts: TokenFacts) => MigrateError | undefined {
  let answered = false;
  return (facts) => {
    if (!("error" in facts) || (facts.failure !== "network" && facts.failure !== undefined)) answered = true;
    if (!("error" in facts)) return undefined;
    if (facts.failure === "unauthorized" || facts.failure === "forbidden")
      return new MigrateError(
        "authentication_failed",
        `Authlete refused the credentials (${facts.error}): check AUTHLETE_BEARER and AUTHLETE_SERVICE_ID; nothing more was checked`,
      );
    if (facts.failure === "network" && !answered)
      return new MigrateError(
        "service_unreachable",
        `Authlete cannot be reached (${facts.error}); nothing more was checked`,
      );
    return undefined;
  };
}

/** A check run as its body sees it: the ledger, its run, the clock and the tokens picked. */
export interface CheckRun {
  config: MigratedCheck;
  ledger: Ledger;
  runId: number;
  now: number;
  migrated: number;
  chosen: MigratedToken[];
}

/**
 * One check of migrated tokens (verify, compare): records the run in the ledger, picks the tokens, runs
 * `body` and finishes the run with the summary it returns (a run that throws is recorded as aborted).
 */
export async function runCheck<Summary>(
  given: MigratedCheck,
  command: "verify" | "compare",
  body: (run: CheckRun) => Promise<Summary>,
): Promise<Summary> {
  const config = { ...given, mapping: await withValidKeyIds(given.mapping) };
  return withLedger(config.ledgerFile, (ledger) => {
    const start = {
      dryRun: true,
      arguments: { command, sample: config.sample ?? "all" },
      sources: [],
      mappingHash: "",
    };
    return withRun(ledger, start, async (runId) => {
      const now = config.now ?? Date.now();
      const random = config.random ?? Math.random;
      const { migrated, chosen } = await sampleMigrated({ ...config, now }, ledger, config.sample, random);
      const summary = await body({ config, ledger, runId, now, migrated, chosen });
      return { status: "completed", summary };
    });
  });
}
