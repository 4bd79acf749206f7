import type { FinalState } from "../ledger/types.js";
import type { Payload, ReasonCode } from "../map/types.js";

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

/** Counts a run as it goes: states, reasons with their first rows, unmapped clients, lifetimes. */
export class Tally {
  rows = 0;
  readonly states: Record<FinalState | "pending", number> = {
    created: 0,
    skipped: 0,
    rejected: 0,
    failed: 0,
    pending: 0,
  };
  readonly reasons: Partial<Record<ReasonCode, number>> = {};
  readonly firstRows: Partial<Record<ReasonCode, string[]>> = {};
  readonly unmappedClients = new Map<string, number>();
  readonly lifetimes: Record<LifetimeBucket, number> = Object.fromEntries(
    lifetimeBuckets.map((b) => [b, 0]),
  ) as Record<LifetimeBucket, number>;

  /** A row read from the sources. */
  read(): void {
    this.rows++;
  }

  /** A row reaching a state (pending rows are counted when the run stops before their outcome). */
  settle(state: FinalState | "pending", reason: ReasonCode | null, where?: string): void {
    this.states[state]++;
    if (reason === null) return;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    const rows = (this.firstRows[reason] ??= []);
    if (where && rows.length < firstRowsKept) rows.push(where);
  }

  unmappedClient(legacy: string): void {
    this.unmappedClients.set(legacy, (this.unmappedClients.get(legacy) ?? 0) + 1);
  }

  /** Where a payload's remaining access lifetime falls, for the lifetime spread of the report. */
  lifetime(payload: Payload, now: number): void {
    this.lifetimes[bucketOf(payload, now)]++;
  }
}

function bucketOf(payload: Payload, now: number): LifetimeBucket {
  if (payload.refreshOnly) return "refresh-only";
  if (payload.accessExpiresAt === null) return "never expires";
  const hours = (payload.accessExpiresAt - now) / 3_600_000;
  if (hours < 1) return "< 1 h";
  if (hours < 24) return "1 h – 1 d";
  if (hours < 24 * 7) return "1 d – 7 d";
  if (hours < 24 * 30) return "7 d – 30 d";
  return "> 30 d";
}
