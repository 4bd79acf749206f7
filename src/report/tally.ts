import type { MapResult, Payload, ReasonCode, NotCarried } from "../map/index.js";
import type { DryRunDuplicates } from "../ledger/index.js";

/** Distinct clients counted one by one; the rest are counted together, so memory stays bounded. */
const clientsTracked = 10_000;
/** Where clients beyond the tracked ones (or beyond a report's table) are counted. */
export const otherClients = "(other clients)";

export const lifetimeBuckets = [
  "< 1 h",
  "1 h – 1 d",
  "1 d – 7 d",
  "7 d – 30 d",
  "> 30 d",
  "never expires",
  "refresh-only",
] as const;
export type LifetimeBucket = (typeof lifetimeBuckets)[number];

const firstRowsKept = 5;

/** Where a row is, for the report: never a token value. */
/** Where a row ended. */
export type RowState = "created" | "skipped" | "rejected" | "failed" | "pending";

/** Rows a dry run found, after counting them, to repeat an earlier row's token (as the ledger finds them). */
export type RepeatedRows = DryRunDuplicates;

export interface RowRef {
  file: string;
  /** The record's number in its file (the ledger's row). */
  rowNo?: number;
  /** Where a person finds it: the line the record starts on. */
  line: number;
  client?: string;
  /** The token's ledger key (a hash), for a redacted fingerprint. */
  key?: string | null;
  detail?: string;
}

/** The tokens --sync-deletions found gone from the sources, the cap, and a refusal if it did nothing. */
export interface DeletionsSummary {
  planned: number;
  cap: number;
  /** The first tokens, by the row that created them and a fingerprint (never a value). */
  first: { file: string; line: number; token: string }[];
  /** Why nothing was revoked: the sources are not proven complete, or the cap is exceeded. */
  refused?: string;
}

/** Counts a run as it goes: states, reasons with their first rows, unmapped clients, lifetimes. */
export class Tally {
  rows = 0;
  /** Rows an earlier run rejected that map to a payload now, not retried (no --retry-rejected). */
  retryable = 0;
  readonly states: Record<RowState, number> = {
    created: 0,
    skipped: 0,
    rejected: 0,
    failed: 0,
    pending: 0,
  };
  readonly reasons: Partial<Record<ReasonCode, number>> = {};
  readonly firstRows: Partial<Record<ReasonCode, string[]>> = {};
  readonly unmappedClients = new Map<string, number>();
  private clientsSeen = 0;
  /** The counts objects of `perClient`, by tracked client. */
  private readonly trackedCounts = new Map<string, Record<RowState, number>>();
  /** Rows to create holding what Authlete cannot take over, by kind. */
  readonly notCarried: Partial<Record<NotCarried, number>> = {};
  /** The first rows of each kind, file:line, so the warning points at rows. */
  readonly notCarriedRows: Partial<Record<NotCarried, string[]>> = {};
  /** Outcomes by client: the Authlete client ID of a payload, or the legacy ID of a refused row. */
  // No prototype: a client named "__proto__" or "constructor" in a dump is a client like any other.
  readonly perClient: Record<string, Record<RowState, number>> = Object.create(null) as Record<
    string,
    Record<RowState, number>
  >;
  readonly timeline: { t: number; created: number; rateLimited: number }[] = [];
  /** Called for every rejected row, e.g. to write rejects.csv as the run goes. */
  onRejected?: (at: RowRef, reason: ReasonCode) => void;
  readonly lifetimes: Record<LifetimeBucket, number> = Object.fromEntries(
    lifetimeBuckets.map((b) => [b, 0]),
  ) as Record<LifetimeBucket, number>;

  /** The latest access-token expiry of any row (Infinity for a never-expiring one), to spot an old export. */
  newestAccessExpiry = -Infinity;

  /** What a mapped row tells before its fate: an unmapped client, an unrecoverable value, its expiry. */
  /**
   * A row's final result; `asMapped` is what the mapping made of it before later checks (the service's
   * verdict, a JWT's signature) refused it: how fresh the export is depends on the rows, not on them.
   */
  mapped(result: MapResult, asMapped: MapResult = result): void {
    if (result.kind !== "payload") {
      if (result.legacyClient !== undefined) this.unmappedClient(result.legacyClient);
      if (result.legacyExpiry) this.notRecoverable(result.legacyExpiry);
    }
    // null = never expires; undefined = not known (a refresh-only row's access token, most refusals).
    const at =
      asMapped.kind === "payload"
        ? asMapped.refreshOnly
          ? undefined
          : asMapped.accessExpiresAt
        : asMapped.accessExpiredAt;
    if (at !== undefined) this.newestAccessExpiry = Math.max(this.newestAccessExpiry, at ?? Infinity);
  }

  /** Live rows whose value the source does not keep, and until when the old server must validate them. */
  readonly unrecoverable = { rows: 0, lastAccess: 0 as number | null, lastRefresh: 0 as number | null };

  /** What --sync-deletions found gone and did (or refused), when it ran. */
  deletions?: DeletionsSummary;

  /** A token this ledger created that is no longer in the dump: not a row, but counted as one. */
  deletedInSource(): void {
    this.rows++;
  }

  /** A row read from the sources. */
  read(): void {
    this.rows++;
  }

  /** A row reaching a state (pending rows are counted when the run stops before their outcome). */
  settle(state: RowState, reason: ReasonCode | null, at?: RowRef): void {
    this.states[state]++;
    if (at?.client !== undefined) this.countsOf(at.client)[state]++;
    if (reason === null) return;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    const rows = (this.firstRows[reason] ??= []);
    if (at !== undefined && rows.length < firstRowsKept) rows.push(`${at.file}:${at.line}`);
    if (state === "rejected" && at) this.onRejected?.(at, reason);
  }

  /** One point of the throughput timeline (live runs), every few seconds. */
  sample(seconds: number, rateLimited: number): void {
    this.timeline.push({ t: Math.round(seconds), created: this.states.created, rateLimited });
  }

  /** Moves the rows a dry run found, after the fact, to repeat an earlier token to duplicate_in_source. */
  reclassifyDuplicates(found: RepeatedRows): void {
    for (const c of found.counted) {
      this.states[c.state] -= c.n;
      if (c.reason !== null) this.reasons[c.reason as ReasonCode]! -= c.n;
      // Only a row counted as created was counted in the lifetime spread.
      if (c.bucket !== null && c.state === "created") this.lifetimes[lifetimeBuckets[c.bucket]!] -= c.n;
      const counts = c.client === null ? undefined : this.perClient[c.client];
      if (counts) {
        counts[c.state] -= c.n;
        counts.skipped += c.n;
      }
    }
    // A reason that lost rows lists its first remaining rows, not rows now counted as repeats.
    for (const [reason, rows] of Object.entries(found.firstByReason))
      this.firstRows[reason as ReasonCode] = rows.map((f) => `${f.file}:${f.line}`);
    if (found.count === 0) return;
    this.states.skipped += found.count;
    this.reasons.duplicate_in_source = (this.reasons.duplicate_in_source ?? 0) + found.count;
    this.firstRows.duplicate_in_source = found.first.map((f) => `${f.file}:${f.line}`);
    for (const [reason, n] of Object.entries(this.reasons))
      if (n === 0) {
        delete this.reasons[reason as ReasonCode];
        delete this.firstRows[reason as ReasonCode];
      }
  }

  /** A live row that cannot be migrated with its value (null expiry = never expires). */
  notRecoverable(expiry: { access: number | null; refresh: number | null }): void {
    const u = this.unrecoverable;
    u.rows++;
    const later = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(a, b));
    u.lastAccess = later(u.lastAccess, expiry.access);
    u.lastRefresh = later(u.lastRefresh, expiry.refresh);
  }

  /** A row to create that holds something Authlete cannot take over. */
  notCarriedRow(kinds: readonly NotCarried[], at: RowRef): void {
    for (const kind of kinds) {
      this.notCarried[kind] = (this.notCarried[kind] ?? 0) + 1;
      const rows = (this.notCarriedRows[kind] ??= []);
      if (rows.length < firstRowsKept) rows.push(`${at.file}:${at.line}`);
    }
  }

  unmappedClient(legacy: string): void {
    // Bounded like the per-client table: a dump of a million distinct IDs must not fill memory.
    const key =
      this.unmappedClients.has(legacy) || this.unmappedClients.size < clientsTracked ? legacy : otherClients;
    this.unmappedClients.set(key, (this.unmappedClients.get(key) ?? 0) + 1);
  }

  /** The per-client key of a row: its client while fewer than `clientsTracked` are known, else the rest. */
  private clientKey(client: string): string {
    if (Object.hasOwn(this.perClient, client)) return client;
    if (this.clientsSeen >= clientsTracked) return otherClients;
    this.clientsSeen++;
    return client;
  }

  /**
   * The counts of a row's client: the tracked ones found in a Map (a numeric client ID as an object key is
   * a slow element lookup: ~0.3 µs a row).
   */
  private countsOf(client: string): Record<RowState, number> {
    const known = this.trackedCounts.get(client);
    if (known) return known;
    const key = this.clientKey(client);
    const counts = (this.perClient[key] ??= { created: 0, skipped: 0, rejected: 0, failed: 0, pending: 0 });
    if (key === client) this.trackedCounts.set(client, counts);
    return counts;
  }

  /** Counts a payload's remaining access lifetime in the spread of the report. */
  lifetime(bucket: number): void {
    this.lifetimes[lifetimeBuckets[bucket]!]++;
  }
}

/** Index in lifetimeBuckets of a payload's remaining access lifetime. */
export function bucketOf(payload: Payload, now: number): number {
  return lifetimeBuckets.indexOf(bucketName(payload, now));
}

function bucketName(payload: Payload, now: number): LifetimeBucket {
  if (payload.refreshOnly) return "refresh-only";
  if (payload.accessExpiresAt === null) return "never expires";
  const hours = (payload.accessExpiresAt - now) / 3_600_000;
  if (hours < 1) return "< 1 h";
  if (hours < 24) return "1 h – 1 d";
  if (hours < 24 * 7) return "1 d – 7 d";
  if (hours < 24 * 30) return "7 d – 30 d";
  return "> 30 d";
}
