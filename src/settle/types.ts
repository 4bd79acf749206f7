import type { Candidate, Decision, EntryState, Ledger, RowSink } from "../ledger/index.js";
import type { MapResult, Payload, ReasonCode } from "../map/index.js";
import type { RowRef } from "../report/index.js";
import type { WriteOutcome, WriterHandle } from "../write/index.js";

/** A row as the ledger admits it, with what the report says of it (its place, client, lifetime bucket). */
export type Admitted = Candidate & RowRef;

/** A row admitted, and what the ledger decided for it. */
export interface Admission {
  at: Admitted;
  decision: Decision;
  /** What the mapping made of the row before the checks (a JWT's signature, the service's verdict). */
  mapped: MapResult;
}

/** Where one token ended, and why: what every caller counts, reports or answers from. */
export interface Fate {
  state: EntryState;
  reason: ReasonCode | null;
  /** Why, in words (never a token value). */
  detail?: string;
  /** The writer's answer, for a token sent to Authlete. */
  outcome?: WriteOutcome;
  /** The payload handed to the writer to create (or, nothing being sent, that would be). */
  sent?: Payload;
  /** An earlier run rejected the row, and it maps to a payload now (retried only with --retry-rejected). */
  retryable?: boolean;
}

/** What settling a token works with. */
export interface SettleContext {
  /** Admission: a live run's entry store, or a dry run's throwaway list. */
  sink: RowSink;
  /** Absent: nothing is sent, and each fate is the one a live run would plan (a dry run). */
  writer?: WriterHandle;
  ledger: Ledger;
  runId: number;
  /** The checks a mapped row passes before admission (a JWT's signature, the service's verdict). */
  check(result: MapResult, now: number): MapResult | Promise<MapResult>;
  /** Records a written token's outcome in the ledger (at once, or batched by the caller). */
  record(outcome: WriteOutcome): void;
  /** True once the run stops: an admitted token not yet sent stays pending, to be resolved next time. */
  stopping(): boolean;
}
