import type { CallFailure } from "./call-failure.js";
import type { ConnectionSettings } from "./authlete-client.js";
import type { CallName, CallRequests, CallResult } from "./token-calls.js";

/** What a writer thread is started with: its connection's settings (the bearer in memory, never a file). */
export type WriterThreadInput = Omit<ConnectionSettings, "clock"> & {
  /**
   * Chaos only (`AUTHLETE_MIGRATE_CHAOS_WRITER_EXIT_AFTER`): the thread ends itself once it has put this many
   * calls on the wire, as a thread that crashes would — what the main thread must survive.
   */
  exitAfterCalls?: number;
};

/** Calls the main thread hands a writer thread, several at a time; or an order to abandon every call. */
export type ToWriterThread = { calls: CallOrder[] } | "abandon";

export interface CallOrder {
  id: number;
  name: CallName;
  request: CallRequests[CallName];
}

/** Answers a writer thread hands back, several at a time; first, once, that it is ready. */
export type FromWriterThread = { answers: CallAnswer[] } | "ready";

export interface CallAnswer {
  id: number;
  result: CallResult<unknown>;
  /** The answer's Date header: the main thread reads Authlete's clock from it. */
  date?: string;
}

/** How a call ends when its thread is gone or the run abandoned it: in doubt, as a lost connection is. */
export const lostCall = (kind: CallFailure["kind"]): CallResult<never> => ({ ok: false, failure: { kind } });
