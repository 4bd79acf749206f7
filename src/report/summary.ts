import type { NotCarried, ReasonCode } from "../map/index.js";
import type { CutoverRecord } from "../ledger/index.js";
import type { ClockOffset, WriterStats } from "../write/index.js";
import { otherClients, type DeletionsSummary, type LifetimeBucket, type Tally } from "./tally.js";

export type { DeletionsSummary };

/** The one JSON object `--json` prints, and what the ledger keeps per run. */
export interface RunSummary {
  runId: number;
  dryRun: boolean;
  status: "completed" | "aborted" | "interrupted";
  rows: number;
  created: number;
  skipped: number;
  rejected: number;
  failed: number;
  /** Rows whose outcome was not known when the run stopped; the next run resolves them. */
  pending: number;
  reasons: Partial<Record<ReasonCode, number>>;
  firstRows: Partial<Record<ReasonCode, string[]>>;
  unmappedClients: Record<string, number>;
  lifetimes: Record<LifetimeBucket, number>;
  perClient: Record<string, Record<string, number>>;
  /** Live runs: created tokens and 429s so far, every few seconds. */
  timeline: { t: number; created: number; rateLimited: number }[];
  /** Live tokens the source keeps no value of (hashed or emptied): the old server must keep validating them. */
  unrecoverable?: { rows: number; stores: string; lastAccessExpiry: string; lastRefreshExpiry: string };
  /** Every access token in the sources expired over a day before the run: likely an old export. */
  staleSource?: { newestAccessExpiry: string; daysBehind: number };
  /** Rows an earlier run rejected that map to a payload now (a fixed mapping, or Authlete's refusal): --retry-rejected sends them. */
  retryable?: number;
  /** Rows to create holding what Authlete cannot take over, by kind. */
  notCarried?: Partial<Record<NotCarried, number>>;
  /** The first rows of each kind not carried, file:line. */
  notCarriedRows?: Partial<Record<NotCarried, string[]>>;
  /** What the dump needs of the service (clients, grant types, scopes, counts), as the service check read it. */
  serviceUsage?: object;
  /** --check-service: what the target service lacks for this dump. */
  /** `blocking`: a live run refuses to start on it (a row-level one rejects its rows instead). */
  serviceFindings?: { severity: "error" | "warning"; code: string; detail: string; blocking?: boolean }[];
  /** A live rerun with nothing to send: why the service was not read (no check, no clock reading). */
  serviceNotRead?: string;
  /** The scopes the rows ask for, and those the service does not support (its rows are rejected). */
  scopeCoverage?: { used: string[]; unsupported: string[] };
  /** Dry run: how long the real run would take at the configured rate, seconds. */
  estimatedSeconds?: number;
  writer?: WriterStats;
  /** Live runs: Authlete's clock minus this host's, as measured; lifetimes were counted from it. */
  authleteClock?: ClockOffset;
  /** When traffic moved to Authlete, if it had before this run. */
  cutover?: CutoverRecord;
  durationMs: number;
  error?: { code: string; message: string };
  /** What --sync-deletions revokes (a dry run: would revoke), or why it revoked nothing. */
  deletions?: DeletionsSummary;
  /** What the run read and with what: the sources (path, size, time), the mapping's hash, the planning clock. */
  inputs?: {
    sources: { file: string; size: number; mtimeMs: number }[];
    mappingHash: string;
    /** The planning clock at the start: --now, or this host's clock. */
    clock: { startedAt: string; given: boolean };
  };
  /** Authlete client ID → the legacy client IDs the mapping sends to it (what the user knows). */
  legacyClients?: Record<string, string[]>;
  /** `report`: the latest verify and compare run after this one, as their verdicts stand in the ledger. */
  checks?: CheckVerdict[];
}

/** A verify or compare run's verdict on the tokens a migration created. */
export interface CheckVerdict {
  check: "verify" | "compare";
  runId: number;
  startedAt: string;
  checked: number;
  migrated: number;
  matched: number;
  mismatches: Record<string, number>;
  /** The first differences: row, fingerprint (never a value), field, both sides. */
  mismatchRows: { at: string; fingerprint: string; kind: string; detail: string }[];
}

/** Freezes a tally into the run summary. */
export function summarise(
  tally: Tally,
  run: {
    runId: number;
    dryRun: boolean;
    status: RunSummary["status"];
    startedAt: number;
    rate: number;
    stores?: string;
  },
  writer?: WriterStats,
): RunSummary {
  const summary: RunSummary = {
    runId: run.runId,
    dryRun: run.dryRun,
    status: run.status,
    rows: tally.rows,
    ...(tally.deletions && { deletions: tally.deletions }),
    ...tally.states,
    reasons: { ...tally.reasons },
    firstRows: { ...tally.firstRows },
    unmappedClients: topClients(
      [...tally.unmappedClients],
      (n) => n,
      (a, b) => a + b,
    ),
    lifetimes: { ...tally.lifetimes },
    perClient: topClients(Object.entries(tally.perClient), rowsOf, addCounts),
    timeline: [...tally.timeline],
    durationMs: Math.round(performance.now() - run.startedAt),
  };
  const u = tally.unrecoverable;
  const when = (at: number | null) => (at === null ? "never" : new Date(at).toISOString());
  if (u.rows > 0) {
    summary.unrecoverable = {
      rows: u.rows,
      stores: run.stores ?? "something else",
      lastAccessExpiry: when(u.lastAccess),
      lastRefreshExpiry: when(u.lastRefresh),
    };
  }
  if (run.dryRun) summary.estimatedSeconds = Math.ceil(tally.states.created / run.rate);
  if (Object.keys(tally.notCarried).length > 0) {
    summary.notCarried = { ...tally.notCarried };
    summary.notCarriedRows = { ...tally.notCarriedRows };
  }
  if (tally.retryable > 0) summary.retryable = tally.retryable;
  if (writer) summary.writer = writer;
  return summary;
}

/** Clients listed one by one in a summary; the rest are added up under one line. */
const clientsListed = 100;

const rowsOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [k, n] of Object.entries(b)) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

/** The clients with the most rows, and the rest added up as "(other clients)": a bounded table. */
function topClients<T>(
  entries: [string, T][],
  size: (v: T) => number,
  add: (a: T, b: T) => T,
): Record<string, T> {
  const sorted = entries.sort((a, b) => size(b[1]) - size(a[1]));
  const shown = sorted.filter(([client]) => client !== otherClients).slice(0, clientsListed);
  const listed = new Set(shown.map(([client]) => client));
  const rest = sorted.filter(([client]) => !listed.has(client)).map(([, v]) => v);
  const table = Object.fromEntries(shown) as Record<string, T>;
  if (rest.length > 0) table[otherClients] = rest.reduce(add);
  return table;
}

/**
 * An export whose newest access token expired more than a day before the clock (run without --now): it
 * cannot know what was revoked since it was taken, though its live refresh tokens would be migrated.
 */
export function staleSource(tally: Tally, now: number): RunSummary["staleSource"] {
  const newest = tally.newestAccessExpiry;
  if (!Number.isFinite(newest) || now - newest < 86_400_000) return undefined;
  return {
    newestAccessExpiry: new Date(newest).toISOString(),
    daysBehind: Math.floor((now - newest) / 86_400_000),
  };
}
